//go:build !linux

package lambda

// Only Linux has Pdeathsig; elsewhere a killed Portico's processes find
// their Runtime API gone and end on their own.
const helperEnv = "PORTICO_LAMBDA_TEST_HELPER"

func runHelper() {}
