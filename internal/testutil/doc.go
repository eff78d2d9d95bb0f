// Package testutil holds what tests across Slipway share: golden files,
// git fixtures and the real processes tests start.
package testutil
