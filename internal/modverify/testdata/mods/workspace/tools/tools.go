// Package tools is a module outside go.work.
package tools
