package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// envFlags is a flag set whose every flag has an environment twin
// (--data-dir is PORTICO_DATA_DIR). The default is the variable's value
// when the flag is registered (server.Defaults()); the environment
// overrides it, the command line overrides both. A twin whose value does
// not parse is an error, never a silent default: PORTICO_IN_MEMORY=yes once
// meant "on disk".
type envFlags struct {
	fs   *flag.FlagSet
	errs []error
}

func newEnvFlags(name string, out io.Writer) *envFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	return &envFlags{fs: fs}
}

// envName is the twin of a flag.
func envName(flagName string) string {
	return "PORTICO_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// add registers v and applies its twin.
func (f *envFlags) add(v flag.Value, name, usage string) {
	env := envName(name)
	f.fs.Var(v, name, usage+" (env "+env+")")
	if s, ok := os.LookupEnv(env); ok {
		if err := v.Set(s); err != nil {
			f.errs = append(f.errs, fmt.Errorf("%s=%q: %v", env, s, err))
		}
		if l, ok := v.(*listValue); ok {
			l.fromEnv()
		}
	}
}

func (f *envFlags) str(p *string, name, usage string) { f.add((*stringValue)(p), name, usage) }
func (f *envFlags) boolean(p *bool, name, usage string) {
	f.add((*boolValue)(p), name, usage)
}
func (f *envFlags) duration(p *time.Duration, name, usage string) {
	f.add((*durationValue)(p), name, usage)
}
func (f *envFlags) list(p *[]string, name, usage string) { f.add(&listValue{p: p}, name, usage) }

// integer is a flag of a whole number of at least minimum.
func (f *envFlags) integer(p *int, minimum int, name, usage string) {
	f.add(&intValue{p: p, min: minimum}, name, usage)
}

// repeated is a flag given once per value (a value may hold commas); its
// twin holds one value per line.
func (f *envFlags) repeated(p *[]string, name, usage string) {
	f.add(&listValue{p: p, sep: "\n"}, name, usage)
}

// parse applies the command line; environment errors are reported first,
// all of them.
func (f *envFlags) parse(args []string) error {
	if len(f.errs) > 0 {
		return errors.Join(f.errs...)
	}
	if err := f.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage // the flag package has printed the error and the usage
	}
	if f.fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(f.fs.Args(), " "))
	}
	return nil
}

type stringValue string

func (s *stringValue) Set(v string) error { *s = stringValue(v); return nil }
func (s *stringValue) String() string     { return string(*s) }

type boolValue bool

func (b *boolValue) Set(v string) error {
	x, err := strconv.ParseBool(v)
	if err != nil {
		return errors.New("not a boolean: use true or false (or 1 or 0)")
	}
	*b = boolValue(x)
	return nil
}
func (b *boolValue) String() string   { return strconv.FormatBool(bool(*b)) }
func (b *boolValue) IsBoolFlag() bool { return true }

type durationValue time.Duration

func (d *durationValue) Set(v string) error {
	x, err := time.ParseDuration(v)
	if err != nil {
		return errors.New("not a duration: use a number with a unit, as 90s, 10m or 2h")
	}
	if x <= 0 {
		return errors.New("must be more than zero")
	}
	*d = durationValue(x)
	return nil
}
func (d *durationValue) String() string { return time.Duration(*d).String() }

type intValue struct {
	p   *int
	min int
}

func (i *intValue) Set(v string) error {
	x, err := strconv.Atoi(v)
	if err != nil {
		return errors.New("not a whole number")
	}
	if x < i.min {
		return fmt.Errorf("must be at least %d", i.min)
	}
	*i.p = x
	return nil
}

func (i *intValue) String() string {
	if i == nil || i.p == nil {
		return "0"
	}
	return strconv.Itoa(*i.p)
}

// listValue is comma-separated; a repeated flag adds to the list, except
// that the first one on the command line replaces the environment's.
type listValue struct {
	p   *[]string
	sep string // "" is ","
	set int    // Sets since the environment's
}

// fromEnv marks the value set so far as the environment's.
func (l *listValue) fromEnv() { l.set = 0 }

func (l *listValue) Set(v string) error {
	sep := l.sep
	if sep == "" {
		sep = ","
	}
	var items []string
	for _, s := range strings.Split(v, sep) {
		if s = strings.TrimSpace(s); s != "" {
			items = append(items, s)
		}
	}
	if l.set == 0 {
		*l.p = nil
	}
	l.set++
	*l.p = append(*l.p, items...)
	return nil
}

func (l *listValue) String() string {
	if l == nil || l.p == nil {
		return ""
	}
	if l.sep != "" {
		return strings.Join(*l.p, l.sep)
	}
	return strings.Join(*l.p, ",")
}
