module example.com/tc


