package vtl

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"
)

func render(t *testing.T, tpl string, in *Input) string {
	t.Helper()
	tp, err := Parse(tpl)
	if err != nil {
		t.Fatalf("Parse(%q): %v", tpl, err)
	}
	out, err := tp.Execute(context.Background(), in, Limits{})
	if err != nil {
		t.Fatalf("Execute(%q): %v", tpl, err)
	}
	return out
}

func TestCRLF(t *testing.T) {
	// Directives eat "\r\n" as one newline; other CRs pass through.
	got := render(t, "#set($a = 1)\r\n#if($a == 1)\r\nyes\r\n#end\r\ntail\r\n", nil)
	if want := "yes\r\ntail\r\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestErrorPositionsCountRunes(t *testing.T) {
	_, err := Parse("héllo\n  wörld #if(")
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("want *Error, got %v", err)
	}
	if pe.Line != 2 || pe.Column != 13 {
		t.Fatalf("got line %d column %d (%v), want line 2 column 13", pe.Line, pe.Column, err)
	}
	if !strings.HasPrefix(err.Error(), "line 2, column 13: ") {
		t.Fatalf("Error() = %q", err.Error())
	}
}

func TestTemplateSizeLimit(t *testing.T) {
	if _, err := Parse(strings.Repeat("x", MaxTemplateSize)); err != nil {
		t.Fatalf("a template of exactly the limit must parse: %v", err)
	}
	_, err := Parse(strings.Repeat("x", MaxTemplateSize+1))
	var pe *Error
	if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "limit is 307200") {
		t.Fatalf("want size error, got %v", err)
	}
}

func TestParseDepthLimit(t *testing.T) {
	for _, src := range []string{
		"#set($a = " + strings.Repeat("(", 10000) + "1" + strings.Repeat(")", 10000) + ")",
		strings.Repeat("#if(true)", 10000),
		"$a" + strings.Repeat("[", 10000),
		`#set($a = "` + strings.Repeat(`#if(true)"`, 300) + `")`,
	} {
		if _, err := Parse(src); err == nil {
			t.Fatalf("want an error for deep nesting in %.40q...", src)
		}
	}
}

func TestLimitErrorsAreIs(t *testing.T) {
	tp, err := Parse("#foreach($i in [1..100000])x#end")
	if err != nil {
		t.Fatal(err)
	}
	_, err = tp.Execute(context.Background(), nil, Limits{MaxSteps: 100})
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("want ErrLimit, got %v", err)
	}
	var pe *Error
	if !errors.As(err, &pe) || pe.Line != 1 {
		t.Fatalf("want positioned *Error, got %#v", err)
	}
	_, err = tp.Execute(context.Background(), nil, Limits{MaxOutput: 10})
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("want ErrLimit for output, got %v", err)
	}
}

func TestTimeoutAndCancel(t *testing.T) {
	// Every step is cheap, so only the clock can stop this one.
	tp, err := Parse("#foreach($i in [1..900000])#set($x = $i)#end")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = tp.Execute(context.Background(), nil, Limits{MaxSteps: math.MaxInt32, Timeout: 20 * time.Millisecond})
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("want ErrTimeout, got %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("deadline overshot: %v", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = tp.Execute(ctx, nil, Limits{MaxSteps: math.MaxInt32})
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("want ErrTimeout for a cancelled context, got %v", err)
	}
}

func TestConcurrentExecute(t *testing.T) {
	tp, err := Parse(benchTemplate + `#set($m = {})#set($x = $m.put("k", $context.requestId))$m.k $input.json('$.user') "x".matches("\d")`)
	if err != nil {
		t.Fatal(err)
	}
	base := benchInput()
	want, err := tp.Execute(context.Background(), base, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				got, err := tp.Execute(context.Background(), base, Limits{})
				if err != nil || got != want {
					t.Errorf("concurrent run differs: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestNilInputAndContext(t *testing.T) {
	tp, err := Parse("[$input.body][$input.json('$')][$context.x][$stageVariables.y][$input.params('a')]")
	if err != nil {
		t.Fatal(err)
	}
	//nolint:staticcheck // a nil context must not crash the data plane
	out, err := tp.Execute(nil, nil, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "[{}][{}][$context.x][$stageVariables.y][]"; out != want {
		t.Fatalf("got %q, want %q", out, want)
	}
}

func TestJavaDouble(t *testing.T) {
	for f, want := range map[float64]string{
		0: "0.0", math.Copysign(0, -1): "-0.0", 1: "1.0", 100: "100.0", 0.5: "0.5", 1e7: "1.0E7",
		9999999: "9999999.0", 1e-3: "0.001", 9.99e-4: "9.99E-4", 1.5e300: "1.5E300", 123456.789: "123456.789",
		-3.25e-10: "-3.25E-10", math.NaN(): "NaN", math.Inf(1): "Infinity", math.Inf(-1): "-Infinity",
		249.99: "249.99", 1e21: "1.0E21", 5e-324: "4.9E-324",
	} {
		if got := javaDouble(f); got != want {
			t.Errorf("javaDouble(%v) = %q, want %q", f, got, want)
		}
	}
}

func TestParseJSON(t *testing.T) {
	for _, tc := range []struct{ in, out string }{
		{`{"a":1,"b":[true,false,null],"c":"\u00e9\ud83c\udf89\n","a":2}`, `{"a":2,"b":[true,false,null],"c":"é🎉\n"}`},
		{` [ -0 , 1.5e2 , 12345678901234567890 , "\/" ] `, `[0,150.0,1.2345678901234567E19,"/"]`},
		{`"\ud800x"`, "\"\uFFFDx\""},
	} {
		v, err := parseJSON(tc.in)
		if err != nil {
			t.Fatalf("parseJSON(%q): %v", tc.in, err)
		}
		e := &exec{lim: DefaultLimits}
		b := &textBuf{max: 1 << 20}
		if err := e.writeJSON(b, v, 0); err != nil {
			t.Fatal(err)
		}
		if string(b.b) != tc.out {
			t.Errorf("parseJSON(%q) -> %s, want %s", tc.in, b.b, tc.out)
		}
	}
	for _, bad := range []string{``, `{`, `[1,]`, `{"a" 1}`, `01`, `1.`, `"\x"`, "\"a\nb\"", `tru`, `1 2`, strings.Repeat("[", 600) + strings.Repeat("]", 600)} {
		if _, err := parseJSON(bad); err == nil {
			t.Errorf("parseJSON(%q) should fail", bad)
		}
	}
}

func TestJaywayShim(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "$",
		"a.b":                    "$.a.b",
		"[0]":                    "$[0]",
		"$.a-b.c":                "$['a-b'].c",
		"$..1st":                 "$..['1st']",
		"$.a[?(@.price < 10.5)]": "$.a[?(@.price < 10.5)]",
		"$['a.b']":               "$['a.b']",
		"$.it's":                 `$['it\'s']`,
		"$.*":                    "$.*",
	} {
		if got := jaywayToRFC(in); got != want {
			t.Errorf("jaywayToRFC(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEscapeJavaScript(t *testing.T) {
	in := "a'b\"c\\d/e\bf\fg\nh\ri\tj\x01k\x7fl\u00e9m\u20acn\U0001F389"
	want := `a\'b\"c\\d\/e\bf\fg\nh\ri\tj\u0001k` + "\x7f" + `l\u00E9m\u20ACn\uD83C\uDF89`
	if got := escapeJavaScript(in); got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	if got := escapeJavaScript("plain"); got != "plain" {
		t.Fatalf("got %q", got)
	}
}

func TestBuiltinsCanBeShadowed(t *testing.T) {
	// A template may #set $util like any variable; the fast path for
	// $util.escapeJavaScript must notice and use the map, which has no
	// such method.
	tp, _ := Parse(`#set($util = {})$util.escapeJavaScript("'")`)
	if _, err := tp.Execute(context.Background(), nil, Limits{}); err == nil || !strings.Contains(err.Error(), "unknown method escapeJavaScript") {
		t.Fatalf("want unknown method on map, got %v", err)
	}
	if got := render(t, `#set($input = "mine")$input`, &Input{Body: "x"}); got != "mine" {
		t.Fatalf("got %q", got)
	}
}
