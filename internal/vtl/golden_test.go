package vtl

// Golden tests: every testdata/*.vtltest file is one case.
//
// File format:
//
//	// Optional notes: lines starting with "//" at the very top (sources,
//	// and every behaviour chosen without a source).
//	<template>
//	-----
//	<input: JSON, or nothing for no input>
//	-----
//	<expected output>
//
// Sections are separated by lines that are exactly "-----". The newline that
// ends the line before a separator belongs to the separator, and so does the
// file's final newline: a template or output that itself ends with a newline
// shows a blank line before the separator (or at the end of the file).
//
// The input is a JSON object with any of:
//
//	"body":           string, the raw $input.body
//	"bodyJSON":       any JSON, used as the raw body byte for byte as written
//	"params":         {"path": {...}, "querystring": {...}, "header": {...}}
//	"context":        {...}, the $context values
//	"stageVariables": {...}
//	"limits":         {"maxSteps": n, "maxOutput": n, "maxDepth": n}
//
// An expected section starting with "ERROR: " asserts that Parse or Execute
// fails with an error whose text contains the rest of that line, which
// must include its position ("line L, column C: ...").

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type goldenInput struct {
	Body           *string                      `json:"body"`
	BodyJSON       json.RawMessage              `json:"bodyJSON"`
	Params         map[string]map[string]string `json:"params"`
	Context        map[string]any               `json:"context"`
	StageVariables map[string]string            `json:"stageVariables"`
	Limits         struct {
		MaxSteps  int `json:"maxSteps"`
		MaxOutput int `json:"maxOutput"`
		MaxDepth  int `json:"maxDepth"`
	} `json:"limits"`
}

type goldenCase struct {
	name, template, input, expected string
}

func readGolden(t testing.TB, path string) goldenCase {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.TrimSuffix(string(data), "\n")
	lines := strings.SplitAfter(text, "\n")
	// Drop leading "//" notes.
	for len(lines) > 0 && strings.HasPrefix(lines[0], "//") {
		lines = lines[1:]
	}
	var sections []string
	var cur strings.Builder
	for _, l := range lines {
		if strings.TrimRight(l, "\r\n") == "-----" {
			sections = append(sections, strings.TrimSuffix(cur.String(), "\n"))
			cur.Reset()
			continue
		}
		cur.WriteString(l)
	}
	sections = append(sections, cur.String())
	if len(sections) != 3 {
		t.Fatalf("%s: want 3 sections separated by \"-----\" lines, got %d", path, len(sections))
	}
	return goldenCase{name: filepath.Base(path), template: sections[0], input: sections[1], expected: sections[2]}
}

func (c goldenCase) run(t testing.TB) (string, error) {
	t.Helper()
	var gi goldenInput
	if strings.TrimSpace(c.input) != "" {
		dec := json.NewDecoder(strings.NewReader(c.input))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&gi); err != nil {
			t.Fatalf("%s: bad input section: %v", c.name, err)
		}
	}
	in := &Input{Params: gi.Params, Context: gi.Context, StageVariables: gi.StageVariables}
	if gi.Body != nil {
		in.Body = *gi.Body
	}
	if gi.BodyJSON != nil {
		in.Body = string(bytes.TrimSpace(gi.BodyJSON))
	}
	tpl, err := Parse(c.template)
	if err != nil {
		return "", err
	}
	return tpl.Execute(context.Background(), in, Limits{
		MaxSteps:  gi.Limits.MaxSteps,
		MaxOutput: gi.Limits.MaxOutput,
		MaxDepth:  gi.Limits.MaxDepth,
	})
}

func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.vtltest")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 60 {
		t.Errorf("only %d golden files; the suite promises at least 60", len(files))
	}
	for _, f := range files {
		c := readGolden(t, f)
		t.Run(strings.TrimSuffix(c.name, ".vtltest"), func(t *testing.T) {
			got, err := c.run(t)
			if want, ok := strings.CutPrefix(c.expected, "ERROR: "); ok {
				want = strings.TrimSpace(want)
				if !strings.Contains(want, "line ") || !strings.Contains(want, "column ") {
					t.Fatalf("expected error %q must include its position", want)
				}
				if err == nil {
					t.Fatalf("want error containing %q, got output:\n%s", want, got)
				}
				if !strings.Contains(err.Error(), want) {
					t.Fatalf("want error containing\n  %q\ngot\n  %q", want, err.Error())
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got != c.expected {
				t.Errorf("output mismatch\n--- got ---\n%s\n--- want ---\n%s\n--- got (quoted) ---\n%q\n--- want (quoted) ---\n%q",
					got, c.expected, got, c.expected)
			}
		})
	}
}
