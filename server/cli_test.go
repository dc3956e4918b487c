package server_test

import (
	"os"
	"os/exec"
	"testing"

	"github.com/portico-dev/portico/server"
)

// TestAWSCLIDeployment runs scripts/cli-deployment.sh, a realistic HTTP API
// deployment through the AWS CLI, against a real Portico. It needs the aws
// command (the machine's AWS CLI v1); without it the test is skipped.
func TestAWSCLIDeployment(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the AWS CLI")
	}
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the aws command is not installed")
	}
	srv := start(t, server.Config{})
	cmd := exec.Command("bash", "../scripts/cli-deployment.sh")
	cmd.Env = append(os.Environ(), "PORTICO_URL="+srv.URL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}
