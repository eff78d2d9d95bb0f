// Package tags has build constraints.
package tags
