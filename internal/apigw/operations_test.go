package apigw

import (
	"os"
	"strings"
	"testing"
)

// TestOperationList freezes the model's 103 operations: a model update that
// adds or drops one must update testdata/operations.txt on purpose.
func TestOperationList(t *testing.T) {
	want, err := os.ReadFile("testdata/operations.txt")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(OperationNames, "\n") + "\n"
	if got != string(want) {
		t.Errorf("operations differ from testdata/operations.txt:\n%s", got)
	}
	if len(OperationNames) != 103 {
		t.Errorf("got %d operations, want 103", len(OperationNames))
	}
	ops := Operations(New(nil, Config{}))
	if len(ops) != len(OperationNames) {
		t.Fatalf("table has %d rows, names %d", len(ops), len(OperationNames))
	}
	seen := map[string]bool{}
	for _, op := range ops {
		key := op.Method + " " + op.Path
		if seen[key] {
			t.Errorf("two operations on %s", key)
		}
		seen[key] = true
	}
}

// TestRealStatusCodes: where real AWS answers another success code than the
// model says (docs/aws-behaviours.md#status-codes), the table carries
// AWS's.
func TestRealStatusCodes(t *testing.T) {
	want := map[string]int{
		"UpdateApi": 201, "UpdateRoute": 201, "UpdateDeployment": 201, "CreateApiMapping": 200,
		"CreateRouteResponse": 201, "UpdateRouteResponse": 200, "DeleteRouteResponse": 204,
		"DeleteVpcLink": 202, "GetRouteResponses": 200, "CreateApi": 201,
	}
	for _, op := range Operations(New(nil, Config{})) {
		if code, ok := want[op.Name]; ok && op.Status != code {
			t.Errorf("%s: status %d, want %d", op.Name, op.Status, code)
		}
	}
}
