// Package atomicfile writes files so that no reader ever sees one half-written.
//
// Data goes to a temporary file in the destination's directory (so the final
// rename stays on one filesystem), is synced to disk, given its permissions and
// then renamed over the destination. A reader sees either the old file or the
// complete new one. On any error the temporary file is removed.
//
// The rename replaces a symbolic link at the destination rather than the file
// it points to. The directory itself is not synced, so after a crash the
// rename may be lost, but the destination is never torn.
package atomicfile
