package vtl

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// benchTemplate is a typical request template: about 20 lines, $input.json,
// a #foreach over 50 items and $util.escapeJavaScript.
const benchTemplate = `#set($body = $input.path('$'))
{
  "requestId": "$context.requestId",
  "connectionId": "$context.connectionId",
  "stage": "$stageVariables.env",
  "user": "$util.escapeJavaScript($body.user.name)",
  "items": [
#foreach($item in $body.items)
    {
      "id": $item.id,
      "sku": "$util.escapeJavaScript($item.sku)",
      "note": "$util.escapeJavaScript($item.note)",
      "qty": $item.qty#if($item.qty > 10),
      "bulk": true#end
    }#if($foreach.hasNext),#end

#end
  ],
  "meta": $input.json('$.meta')
}`

// benchBody is a 4 KB JSON body with 50 items.
func benchBody() string {
	var b strings.Builder
	b.WriteString(`{"user": {"name": "O'Brien \"Bob\"", "id": 7}, "items": [`)
	for i := 0; i < 50; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"id": %d, "sku": "SKU-%04d/x", "note": "it's item %d", "qty": %d}`, i, i, i, i%20)
	}
	b.WriteString(`], "meta": {"source": "bench", "tags": ["a", "b"], "ratio": 0.25}, "pad": "`)
	for b.Len() < 4096-2 {
		b.WriteByte('x')
	}
	b.WriteString(`"}`)
	return b.String()
}

func benchInput() *Input {
	return &Input{
		Body:           benchBody(),
		Context:        map[string]any{"requestId": "R1knPH17NjMFftw=", "connectionId": "R1kmxc2VNjMCFIA=", "routeKey": "send"},
		StageVariables: map[string]string{"env": "prod"},
	}
}

// BenchmarkExecute: parse once (per deployment), evaluate per message.
func BenchmarkExecute(b *testing.B) {
	tpl, err := Parse(benchTemplate)
	if err != nil {
		b.Fatal(err)
	}
	in := benchInput()
	ctx := context.Background()
	b.SetBytes(int64(len(in.Body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tpl.Execute(ctx, in, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExecuteParallel(b *testing.B) {
	tpl, err := Parse(benchTemplate)
	if err != nil {
		b.Fatal(err)
	}
	in := benchInput()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := tpl.Execute(context.Background(), in, Limits{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(benchTemplate); err != nil {
			b.Fatal(err)
		}
	}
}
