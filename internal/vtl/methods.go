package vtl

import (
	"math"
	"strconv"
	"strings"
)

// This file is the only way a template calls anything: a fixed whitelist of
// the Java methods mapping templates use, implemented on our own values.
// There is no reflection and no fallback, so a name that is not listed here
// is an error, never a call into the host.

var errClass = &rtError{msg: `access to "class" is not allowed: templates cannot reach the host`}

// reflective names get a pointed message rather than "unknown method".
var forbidden = map[string]bool{
	"getClass": true, "forName": true, "newInstance": true, "getMethod": true,
	"getMethods": true, "getDeclaredMethod": true, "getDeclaredMethods": true,
	"getConstructor": true, "getDeclaredField": true, "getField": true,
	"invoke": true, "getClassLoader": true, "loadClass": true, "getRuntime": true,
	"exec": true, "wait": true, "notify": true, "notifyAll": true,
}

func unknownMethod(recv any, name string, args []any) error {
	if forbidden[name] {
		return rtErrorf("method %s() is not allowed: templates cannot reach the host", name)
	}
	return rtErrorf("unknown method %s(%s) on %s: only a fixed set of Java methods is available",
		name, plural(len(args), "argument"), typeName(recv))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func wantArgs(recv any, name string, args []any, counts ...int) error {
	for _, c := range counts {
		if len(args) == c {
			return nil
		}
	}
	want := make([]string, len(counts))
	for i, c := range counts {
		want[i] = strconv.Itoa(c)
	}
	return rtErrorf("%s.%s takes %s arguments, got %d", typeName(recv), name, strings.Join(want, " or "), len(args))
}

// strArg returns argument i as a string; Java would throw a
// NullPointerException for null and find no method for other types.
func strArg(recv any, name string, args []any, i int) (string, error) {
	switch a := args[i].(type) {
	case string:
		return a, nil
	case nil:
		return "", rtErrorf("%s.%s: argument %d is null", typeName(recv), name, i+1)
	default:
		return "", rtErrorf("%s.%s: argument %d must be a string, not %s", typeName(recv), name, i+1, typeName(a))
	}
}

// intArg returns argument i as a Java int.
func intArg(recv any, name string, args []any, i int) (int, error) {
	if n, ok := args[i].(int64); ok && n >= math.MinInt32 && n <= math.MaxInt32 {
		return int(n), nil
	}
	return 0, rtErrorf("%s.%s: argument %d must be an integer, not %s", typeName(recv), name, i+1, typeName(args[i]))
}

func (e *exec) property(v any, part *refPart) (any, error) {
	name := part.name
	if name == "class" {
		return nil, errClass
	}
	switch v := v.(type) {
	case *omap:
		x, _ := v.get(name)
		return x, nil
	case *entry:
		switch name {
		case "key":
			return v.key, nil
		case "value":
			return v.val, nil
		}
	case string:
		if name == "empty" { // isEmpty() read as a property
			return v == "", nil
		}
	case *vlist:
		if name == "empty" {
			return len(v.items) == 0, nil
		}
	case *foreachObj:
		switch name {
		case "index":
			return int64(v.index), nil
		case "count":
			return int64(v.index + 1), nil
		case "hasNext":
			return v.hasNext, nil
		case "first":
			return v.index == 0, nil
		case "last":
			return !v.hasNext, nil
		case "parent":
			if v.parent != nil {
				return v.parent, nil
			}
			return nil, nil
		case "topmost":
			for v.parent != nil {
				v = v.parent
			}
			return v, nil
		}
	case *inputObj:
		if name == "body" {
			return e.body(), nil
		}
	}
	// Velocity yields null for a property it cannot resolve.
	return nil, nil
}

func (e *exec) index(v any, idx any) (any, error) {
	switch v := v.(type) {
	case *omap:
		if idx == nil {
			return nil, nil
		}
		k, err := e.keyString(idx)
		if err != nil {
			return nil, err
		}
		x, _ := v.get(k)
		return x, nil
	case *vlist:
		i, err := listIndex(v, idx)
		if err != nil {
			return nil, err
		}
		return v.items[i], nil
	}
	return nil, nil
}

// listIndex resolves $list[i]; a negative i counts from the end, as in
// Velocity 1.7's ASTIndex. Out of range is Java's IndexOutOfBoundsException.
func listIndex(l *vlist, idx any) (int, error) {
	n, ok := idx.(int64)
	if !ok {
		return 0, rtErrorf("list index must be an integer, not %s", typeName(idx))
	}
	i := n
	if i < 0 {
		i += int64(len(l.items))
	}
	if i < 0 || i >= int64(len(l.items)) {
		return 0, rtErrorf("index %d out of bounds for length %d", n, len(l.items))
	}
	return int(i), nil
}

func (e *exec) call(v any, part *refPart, args []any) (any, error) {
	name := part.name
	if forbidden[name] {
		return nil, unknownMethod(v, name, args)
	}
	switch v := v.(type) {
	case string:
		return e.stringMethod(v, name, args)
	case *vlist:
		return e.listMethod(v, name, args)
	case *omap:
		return e.mapMethod(v, name, args)
	case *entry:
		switch name {
		case "getKey":
			return v.key, wantArgs(v, name, args, 0)
		case "getValue":
			return v.val, wantArgs(v, name, args, 0)
		}
	case int64, float64:
		return e.numberMethod(v, name, args)
	case bool:
		switch name {
		case "booleanValue":
			return v, wantArgs(v, name, args, 0)
		}
	case *inputObj:
		return e.inputMethod(name, args)
	case *utilObj:
		return e.utilMethod(name, args)
	case *foreachObj:
		if err := wantArgs(v, name, args, 0); err != nil {
			return nil, err
		}
		switch name {
		case "hasNext", "getHasNext":
			return v.hasNext, nil
		case "getIndex":
			return int64(v.index), nil
		case "getCount":
			return int64(v.index + 1), nil
		case "isFirst", "getFirst":
			return v.index == 0, nil
		case "isLast", "getLast":
			return !v.hasNext, nil
		}
	}
	// Methods every value has.
	switch name {
	case "toString":
		if err := wantArgs(v, name, args, 0); err != nil {
			return nil, err
		}
		return e.toString(v)
	case "equals":
		if err := wantArgs(v, name, args, 1); err != nil {
			return nil, err
		}
		if _, ok := v.(*blockRef); ok {
			return v == args[0], nil
		}
		return e.deepEquals(v, args[0], 0)
	}
	return nil, unknownMethod(v, name, args)
}

func (e *exec) numberMethod(v any, name string, args []any) (any, error) {
	if err := wantArgs(v, name, args, 0); err != nil {
		if name == "toString" || name == "equals" {
			return e.callCommon(v, name, args)
		}
		return nil, err
	}
	switch n := v.(type) {
	case int64:
		switch name {
		case "intValue":
			return int64(int32(n)), nil
		case "longValue":
			return n, nil
		case "doubleValue":
			return float64(n), nil
		}
	case float64:
		switch name {
		case "intValue":
			return int64(javaD2I(n, math.MinInt32, math.MaxInt32)), nil
		case "longValue":
			return javaD2I(n, math.MinInt64, math.MaxInt64), nil
		case "doubleValue":
			return n, nil
		}
	}
	return e.callCommon(v, name, args)
}

// callCommon handles toString/equals for receivers whose own switch did not.
func (e *exec) callCommon(v any, name string, args []any) (any, error) {
	switch name {
	case "toString":
		if err := wantArgs(v, name, args, 0); err != nil {
			return nil, err
		}
		return e.toString(v)
	case "equals":
		if err := wantArgs(v, name, args, 1); err != nil {
			return nil, err
		}
		return e.deepEquals(v, args[0], 0)
	}
	return nil, unknownMethod(v, name, args)
}

// javaD2I is Java's double-to-integer narrowing: NaN is 0, out of range
// saturates.
func javaD2I(f float64, lo, hi int64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f <= float64(lo):
		return lo
	case f >= float64(hi):
		return hi
	}
	return int64(f)
}

func (e *exec) listMethod(l *vlist, name string, args []any) (any, error) {
	switch name {
	case "size":
		return int64(len(l.items)), wantArgs(l, name, args, 0)
	case "isEmpty":
		return len(l.items) == 0, wantArgs(l, name, args, 0)
	case "get":
		if err := wantArgs(l, name, args, 1); err != nil {
			return nil, err
		}
		i, err := intArg(l, name, args, 0)
		if err != nil {
			return nil, err
		}
		if i < 0 || i >= len(l.items) {
			return nil, rtErrorf("index %d out of bounds for length %d", i, len(l.items))
		}
		return l.items[i], nil
	case "contains":
		if err := wantArgs(l, name, args, 1); err != nil {
			return nil, err
		}
		for _, x := range l.items {
			eq, err := e.deepEquals(x, args[0], 0)
			if err != nil {
				return nil, err
			}
			if eq {
				return true, nil
			}
		}
		return false, nil
	case "add":
		if err := wantArgs(l, name, args, 1, 2); err != nil {
			return nil, err
		}
		if err := e.step(); err != nil {
			return nil, err
		}
		if len(args) == 1 {
			l.items = append(l.items, args[0])
			return true, nil // Collection.add returns true, which Velocity prints
		}
		i, err := intArg(l, name, args, 0)
		if err != nil {
			return nil, err
		}
		if i < 0 || i > len(l.items) {
			return nil, rtErrorf("index %d out of bounds for length %d", i, len(l.items))
		}
		l.items = append(l.items, nil)
		copy(l.items[i+1:], l.items[i:])
		l.items[i] = args[1]
		return nil, nil // void
	case "set":
		if err := wantArgs(l, name, args, 2); err != nil {
			return nil, err
		}
		i, err := intArg(l, name, args, 0)
		if err != nil {
			return nil, err
		}
		if i < 0 || i >= len(l.items) {
			return nil, rtErrorf("index %d out of bounds for length %d", i, len(l.items))
		}
		old := l.items[i]
		l.items[i] = args[1]
		return old, nil
	}
	return e.callCommon(l, name, args)
}

func (e *exec) mapMethod(m *omap, name string, args []any) (any, error) {
	key := func() (string, error) {
		if args[0] == nil {
			return "null", nil
		}
		return e.keyString(args[0])
	}
	switch name {
	case "size":
		return int64(m.len()), wantArgs(m, name, args, 0)
	case "isEmpty":
		return m.len() == 0, wantArgs(m, name, args, 0)
	case "get", "containsKey", "remove":
		if err := wantArgs(m, name, args, 1); err != nil {
			return nil, err
		}
		k, err := key()
		if err != nil {
			return nil, err
		}
		switch name {
		case "get":
			v, _ := m.get(k)
			return v, nil
		case "containsKey":
			_, ok := m.get(k)
			return ok, nil
		}
		v, _ := m.remove(k)
		return v, nil
	case "containsValue":
		if err := wantArgs(m, name, args, 1); err != nil {
			return nil, err
		}
		for _, v := range m.vals {
			eq, err := e.deepEquals(v, args[0], 0)
			if err != nil || eq {
				return eq, err
			}
		}
		return false, nil
	case "put":
		if err := wantArgs(m, name, args, 2); err != nil {
			return nil, err
		}
		k, err := key()
		if err != nil {
			return nil, err
		}
		if err := e.charge(len(k)); err != nil {
			return nil, err
		}
		return m.put(k, args[1]), nil // the previous value, printed if not null
	case "keySet", "values", "entrySet":
		if err := wantArgs(m, name, args, 0); err != nil {
			return nil, err
		}
		if err := e.charge(m.len() * 16); err != nil {
			return nil, err
		}
		l := &vlist{items: make([]any, m.len())}
		for i, k := range m.keys {
			switch name {
			case "keySet":
				l.items[i] = k
			case "values":
				l.items[i] = m.vals[i]
			default:
				l.items[i] = &entry{key: k, val: m.vals[i]}
			}
		}
		return l, nil
	}
	return e.callCommon(m, name, args)
}

func (e *exec) stringMethod(s string, name string, args []any) (any, error) {
	switch name {
	case "length":
		return int64(u16len(s)), wantArgs(s, name, args, 0)
	case "isEmpty":
		return s == "", wantArgs(s, name, args, 0)
	case "toString":
		return s, wantArgs(s, name, args, 0)
	case "trim":
		if err := wantArgs(s, name, args, 0); err != nil {
			return nil, err
		}
		// String.trim removes every char <= U+0020 at both ends.
		return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' }), nil
	case "toLowerCase", "toUpperCase":
		if err := wantArgs(s, name, args, 0); err != nil {
			return nil, err
		}
		if err := e.charge(len(s)); err != nil {
			return nil, err
		}
		if name == "toLowerCase" {
			return strings.ToLower(s), nil
		}
		return strings.ToUpper(s), nil
	case "charAt":
		if err := wantArgs(s, name, args, 1); err != nil {
			return nil, err
		}
		i, err := intArg(s, name, args, 0)
		if err != nil {
			return nil, err
		}
		return charAt(s, i)
	case "substring":
		if err := wantArgs(s, name, args, 1, 2); err != nil {
			return nil, err
		}
		b, err := intArg(s, name, args, 0)
		if err != nil {
			return nil, err
		}
		end := -1
		if len(args) == 2 {
			if end, err = intArg(s, name, args, 1); err != nil {
				return nil, err
			}
		}
		return substring(s, b, end)
	case "indexOf", "lastIndexOf":
		if err := wantArgs(s, name, args, 1, 2); err != nil {
			return nil, err
		}
		var sub string
		switch a := args[0].(type) {
		case string:
			sub = a
		case int64: // indexOf(int ch)
			if a < 0 || a > 0x10FFFF {
				return int64(-1), nil
			}
			sub = string(rune(a))
		default:
			return nil, rtErrorf("string.%s: argument 1 must be a string, not %s", name, typeName(a))
		}
		from := 0
		if name == "lastIndexOf" {
			from = math.MaxInt32
		}
		if len(args) == 2 {
			var err error
			if from, err = intArg(s, name, args, 1); err != nil {
				return nil, err
			}
		}
		if name == "indexOf" {
			return int64(indexOf(s, sub, from)), nil
		}
		return int64(lastIndexOf(s, sub, from)), nil
	case "startsWith":
		if err := wantArgs(s, name, args, 1, 2); err != nil {
			return nil, err
		}
		pre, err := strArg(s, name, args, 0)
		if err != nil {
			return nil, err
		}
		if len(args) == 2 {
			off, err := intArg(s, name, args, 1)
			if err != nil {
				return nil, err
			}
			return startsWithAt(s, pre, off), nil
		}
		return strings.HasPrefix(s, pre), nil
	case "endsWith", "contains", "equalsIgnoreCase", "concat":
		if err := wantArgs(s, name, args, 1); err != nil {
			return nil, err
		}
		if name == "equalsIgnoreCase" {
			o, ok := args[0].(string)
			return ok && strings.EqualFold(s, o), nil
		}
		o, err := strArg(s, name, args, 0)
		if err != nil {
			return nil, err
		}
		switch name {
		case "endsWith":
			return strings.HasSuffix(s, o), nil
		case "contains":
			return strings.Contains(s, o), nil
		}
		if len(s)+len(o) > e.lim.MaxOutput {
			return nil, errTooLong
		}
		if err := e.charge(len(s) + len(o)); err != nil {
			return nil, err
		}
		return s + o, nil
	case "equals":
		if err := wantArgs(s, name, args, 1); err != nil {
			return nil, err
		}
		o, ok := args[0].(string)
		return ok && o == s, nil
	case "replace":
		if err := wantArgs(s, name, args, 2); err != nil {
			return nil, err
		}
		old, err := strArg(s, name, args, 0)
		if err != nil {
			return nil, err
		}
		nw, err := strArg(s, name, args, 1)
		if err != nil {
			return nil, err
		}
		if err := e.checkGrowth(s, old, nw); err != nil {
			return nil, err
		}
		return strings.ReplaceAll(s, old, nw), nil
	case "replaceAll", "replaceFirst":
		if err := wantArgs(s, name, args, 2); err != nil {
			return nil, err
		}
		pat, err := strArg(s, name, args, 0)
		if err != nil {
			return nil, err
		}
		repl, err := strArg(s, name, args, 1)
		if err != nil {
			return nil, err
		}
		re, err := e.regexp(pat, false)
		if err != nil {
			return nil, err
		}
		out, err := javaReplace(re, s, repl, name == "replaceAll", e.lim.MaxOutput)
		if err != nil {
			return nil, err
		}
		return out, e.charge(len(out))
	case "matches":
		if err := wantArgs(s, name, args, 1); err != nil {
			return nil, err
		}
		pat, err := strArg(s, name, args, 0)
		if err != nil {
			return nil, err
		}
		re, err := e.regexp(pat, true)
		if err != nil {
			return nil, err
		}
		return re.MatchString(s), nil
	case "split":
		if err := wantArgs(s, name, args, 1, 2); err != nil {
			return nil, err
		}
		pat, err := strArg(s, name, args, 0)
		if err != nil {
			return nil, err
		}
		limit := 0
		if len(args) == 2 {
			if limit, err = intArg(s, name, args, 1); err != nil {
				return nil, err
			}
		}
		re, err := e.regexp(pat, false)
		if err != nil {
			return nil, err
		}
		parts := javaSplit(re, s, limit)
		if err := e.charge(len(parts) * 16); err != nil {
			return nil, err
		}
		l := &vlist{items: make([]any, len(parts))}
		for i, p := range parts {
			l.items[i] = p
		}
		return l, nil
	}
	return nil, unknownMethod(s, name, args)
}

// checkGrowth bounds strings.ReplaceAll before it runs.
func (e *exec) checkGrowth(s, old, nw string) error {
	n := len(s)
	if len(nw) > len(old) {
		count := strings.Count(s, old)
		if old == "" {
			count = len(s) + 1
		}
		n += count * (len(nw) - len(old))
	}
	if n > e.lim.MaxOutput {
		return errTooLong
	}
	return e.charge(n)
}
