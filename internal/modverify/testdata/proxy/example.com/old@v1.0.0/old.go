package old

// Hello greets.
func Hello() string { return "hello" }
