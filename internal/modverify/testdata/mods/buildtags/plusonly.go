// +build !windows

package tags

// PlusOnly has only the old constraint syntax.
const PlusOnly = true
