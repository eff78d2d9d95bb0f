// Package tc is empty.
package tc
