package vtl

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Template is a parsed mapping template. It is immutable after Parse and
// safe for concurrent use: one Template, many goroutines.
type Template struct {
	src    *source
	nodes  []node
	names  []string // variable names; a reference's slot indexes this
	macros map[string]*macroDef

	slotForeach, slotVelocityCount, slotVelocityHasNext int

	// Compiled JSONPath expressions and regular expressions, keyed by their
	// text. Templates almost always use literals, so these stay tiny; the
	// count caps them when a template builds patterns from its input.
	paths, regexps sync.Map
	cached         atomic.Int32
}

const maxCached = 256

// Input is everything API Gateway exposes to a template.
type Input struct {
	Body           string                       // $input.body (raw text; $input.json/$input.path parse it lazily, once)
	Params         map[string]map[string]string // "path", "querystring", "header" -> name -> value ($input.params)
	Context        map[string]any               // $context.* (JSON-like values; "authorizer" map values are stringified)
	StageVariables map[string]string            // $stageVariables.*
}

// rtError is a runtime failure not yet tied to a position; the node that
// sees it first attaches its own.
type rtError struct {
	msg  string
	kind error
}

func (e *rtError) Error() string { return e.msg }

func rtErrorf(format string, args ...any) error {
	return &rtError{msg: fmt.Sprintf(format, args...)}
}

var (
	errTooLong    = &rtError{msg: "output or string exceeds the size limit", kind: ErrLimit}
	errTooDeep    = &rtError{msg: "nesting exceeds the depth limit", kind: ErrLimit}
	errSteps      = &rtError{msg: "evaluation exceeds the step limit", kind: ErrLimit}
	errBadUnicode = errors.New("invalid \\u escape in string literal")

	// #break and #stop unwind the renderer; they are not failures.
	errBreak = errors.New("#break")
	errStop  = errors.New("#stop")
)

// exec is the state of one execution.
type exec struct {
	t        *Template
	ctx      context.Context
	in       *Input
	lim      Limits
	vars     []any
	inited   [numBuiltins]bool
	out      *textBuf
	steps    int
	deadline time.Time
	depth    int

	argLits []string // per slot: caller's text for a null macro argument

	// Lazily built API Gateway views (apigw.go).
	doc       any
	docOK     bool
	docParsed bool
	params    *omap
}

// Execute renders the template. Safe for concurrent use: one Template, many
// goroutines. Errors are *Error; errors.Is(err, ErrLimit) or ErrTimeout tells
// a limit from a template fault.
func (t *Template) Execute(ctx context.Context, in *Input, lim Limits) (out string, err error) {
	if in == nil {
		in = &Input{}
	}
	if ctx == nil {
		ctx = context.Background()
	}
	lim = lim.withDefaults()
	e := &exec{t: t, ctx: ctx, in: in, lim: lim}
	e.deadline = time.Now().Add(lim.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(e.deadline) {
		e.deadline = d
	}
	e.vars = make([]any, len(t.names))
	guess := min(lim.MaxOutput, max(256, len(t.src.text)+len(in.Body)))
	e.out = &textBuf{b: make([]byte, 0, guess), max: lim.MaxOutput}
	defer func() {
		// A panic here is a bug in this package, never in the template; the
		// data plane must see a failed integration, not a crashed server.
		if r := recover(); r != nil {
			out, err = "", &Error{Line: 1, Column: 1, Msg: fmt.Sprintf("internal error: %v", r)}
		}
	}()
	if err := e.render(t.nodes); err != nil && err != errBreak && err != errStop {
		return "", e.at(0, err)
	}
	return string(e.out.b), nil
}

// at ties err to template offset pos unless it already has a position.
func (e *exec) at(pos int, err error) error {
	switch err := err.(type) {
	case nil:
		return nil
	case *Error:
		return err
	case *rtError:
		pe := e.t.src.errorf(pos, "%s", err.msg)
		pe.kind = err.kind
		switch err {
		case errTooLong:
			pe.Msg = fmt.Sprintf("output or string exceeds the limit of %d bytes", e.lim.MaxOutput)
		case errTooDeep:
			pe.Msg = fmt.Sprintf("nesting exceeds the depth limit of %d", e.lim.MaxDepth)
		case errSteps:
			pe.Msg = fmt.Sprintf("evaluation exceeds the limit of %d steps", e.lim.MaxSteps)
		}
		return pe
	}
	if err == errBreak || err == errStop {
		return err
	}
	return e.t.src.errorf(pos, "%v", err)
}

// step charges one unit of work and, every so often, checks the clock.
func (e *exec) step() error {
	e.steps++
	if e.steps > e.lim.MaxSteps {
		return errSteps
	}
	if e.steps&1023 == 0 {
		return e.checkTime()
	}
	return nil
}

func (e *exec) checkTime() error {
	if err := e.ctx.Err(); err != nil {
		return &rtError{msg: "evaluation cancelled: " + err.Error(), kind: ErrTimeout}
	}
	if time.Now().After(e.deadline) {
		return &rtError{msg: "evaluation exceeds its deadline", kind: ErrTimeout}
	}
	return nil
}

// charge accounts for n bytes of newly built data.
func (e *exec) charge(n int) error {
	if n < bytesPerStep {
		return nil
	}
	e.steps += n / bytesPerStep
	if e.steps > e.lim.MaxSteps {
		return errSteps
	}
	return e.checkTime()
}

func (e *exec) enter() error {
	e.depth++
	if e.depth > e.lim.MaxDepth {
		return errTooDeep
	}
	return nil
}

// render writes nodes to e.out.
func (e *exec) render(nodes []node) error {
	for _, n := range nodes {
		if err := e.step(); err != nil {
			return err
		}
		switch n := n.(type) {
		case *textNode:
			if err := e.out.writeString(n.text); err != nil {
				return err
			}
		case *refNode:
			if err := e.renderRef(n.ref); err != nil {
				return e.at(n.ref.pos, err)
			}
		case *setNode:
			if err := e.execSet(n); err != nil {
				return e.at(n.pos, err)
			}
		case *ifNode:
			if err := e.execIf(n); err != nil {
				return e.at(n.pos, err)
			}
		case *foreachNode:
			if err := e.execForeach(n); err != nil {
				return e.at(n.pos, err)
			}
		case *defineNode:
			e.vars[n.slot] = &blockRef{pos: n.pos, body: n.body}
		case *macroCallNode:
			if err := e.callMacro(n); err != nil {
				return e.at(n.pos, err)
			}
		case *breakNode:
			return errBreak
		case *stopNode:
			return errStop
		}
	}
	return nil
}

func (e *exec) renderRef(r *reference) error {
	if r.escapeJS && e.root(slotUtil) == theUtil {
		// "$util.escapeJavaScript(x)", the commonest reference in mapping
		// templates, is written straight into the output.
		if err := e.step(); err != nil {
			return err
		}
		arg, err := e.eval(r.parts[0].args[0])
		if err != nil {
			return err
		}
		if arg != nil {
			s, err := e.toString(arg)
			if err != nil {
				return e.at(r.parts[0].pos, err)
			}
			if err := e.charge(len(s) * 2); err != nil {
				return err
			}
			return escapeJavaScriptTo(e.out, s)
		}
		// The helper returns null for null: print the reference as written
		// (without evaluating the argument a second time).
		if r.quiet {
			return nil
		}
		return e.out.writeString(r.literal)
	}
	v, err := e.evalRef(r)
	if err != nil {
		return err
	}
	esc := r.escapes / 2
	writeEsc := func() error {
		for i := 0; i < esc; i++ {
			if err := e.out.writeByte('\\'); err != nil {
				return err
			}
		}
		return nil
	}
	if r.escapes%2 == 1 {
		// \$a shows "$a" when $a is defined and "\$a" when it is not.
		if err := writeEsc(); err != nil {
			return err
		}
		if v == nil {
			if err := e.out.writeByte('\\'); err != nil {
				return err
			}
		}
		return e.out.writeString(r.literal)
	}
	if v == nil {
		// Velocity writes the backslash prefix twice for a null reference
		// (it is text, so they do not escape each other).
		if err := writeEsc(); err != nil {
			return err
		}
		if err := writeEsc(); err != nil {
			return err
		}
		if r.quiet {
			return nil
		}
		lit := r.literal
		if len(r.parts) == 0 && e.argLits != nil && e.argLits[r.slot] != "" {
			lit = e.argLits[r.slot]
		}
		return e.out.writeString(lit)
	}
	if err := writeEsc(); err != nil {
		return err
	}
	return e.writeValue(e.out, v)
}

// root is a reference's starting value; builtins are made on first use.
func (e *exec) root(slot int) any {
	v := e.vars[slot]
	if v == nil && slot < numBuiltins && !e.inited[slot] {
		e.inited[slot] = true
		v = e.builtin(slot)
		e.vars[slot] = v
	}
	return v
}

func (e *exec) evalRef(r *reference) (any, error) {
	v := e.root(r.slot)
	for i := range r.parts {
		if v == nil {
			return nil, nil // Velocity stops at the first null along the way
		}
		part := &r.parts[i]
		if err := e.step(); err != nil {
			return nil, err
		}
		var err error
		switch part.kind {
		case partProp:
			v, err = e.property(v, part)
		case partIndex:
			var idx any
			if idx, err = e.eval(part.args[0]); err == nil {
				v, err = e.index(v, idx)
			}
		case partMethod:
			var args []any
			if len(part.args) > 0 {
				args = make([]any, len(part.args))
				for j, a := range part.args {
					if args[j], err = e.eval(a); err != nil {
						break
					}
				}
			}
			if err == nil {
				v, err = e.call(v, part, args)
			}
		}
		if err != nil {
			return nil, e.at(part.pos, err)
		}
	}
	return v, nil
}

func (e *exec) execSet(n *setNode) error {
	v, err := e.eval(n.value)
	if err != nil {
		return err
	}
	if v == nil {
		// Velocity 1.7: "If the RHS is a property or method reference that
		// evaluates to null, it will not be assigned to the LHS."
		return nil
	}
	r := n.target
	if len(r.parts) == 0 {
		e.vars[r.slot] = v
		return nil
	}
	target := e.root(r.slot)
	for i := 0; i < len(r.parts)-1 && target != nil; i++ {
		part := &r.parts[i]
		switch part.kind {
		case partProp:
			target, err = e.property(target, part)
		case partIndex:
			var idx any
			if idx, err = e.eval(part.args[0]); err == nil {
				target, err = e.index(target, idx)
			}
		case partMethod:
			var args []any
			for _, a := range part.args {
				var x any
				if x, err = e.eval(a); err != nil {
					break
				}
				args = append(args, x)
			}
			if err == nil {
				target, err = e.call(target, part, args)
			}
		}
		if err != nil {
			return e.at(part.pos, err)
		}
	}
	if target == nil {
		return nil // Velocity logs "not a valid reference" and goes on
	}
	last := &r.parts[len(r.parts)-1]
	switch last.kind {
	case partProp:
		if last.name == "class" {
			return e.at(last.pos, errClass)
		}
		if m, ok := target.(*omap); ok {
			m.put(last.name, v)
		}
	case partIndex:
		idx, err := e.eval(last.args[0])
		if err != nil {
			return err
		}
		switch t := target.(type) {
		case *omap:
			k, err := e.keyString(idx)
			if err != nil {
				return e.at(last.pos, err)
			}
			t.put(k, v)
		case *vlist:
			i, err := listIndex(t, idx)
			if err != nil {
				return e.at(last.pos, err)
			}
			t.items[i] = v
		}
	}
	return nil
}

func (e *exec) execIf(n *ifNode) error {
	for i, c := range n.conds {
		v, err := e.eval(c)
		if err != nil {
			return err
		}
		if truthy(v) {
			return e.render(n.blocks[i])
		}
	}
	if n.els != nil {
		return e.render(n.els)
	}
	return nil
}

// foreachObj is $foreach: Velocity 1.7's ForeachScope.
type foreachObj struct {
	index   int
	hasNext bool
	parent  *foreachObj
}

func (e *exec) execForeach(n *foreachNode) error {
	var items []any
	lo, hi, isRange := int64(0), int64(0), false
	if r, ok := n.iter.(*rangeLit); ok {
		var err error
		if lo, hi, err = e.rangeBounds(r); err != nil {
			return err
		}
		isRange = true
	} else {
		it, err := e.eval(n.iter)
		if err != nil {
			return err
		}
		switch it := it.(type) {
		case *vlist:
			items = it.items[:len(it.items):len(it.items)]
		case *omap:
			// Velocity iterates a map's values.
			items = it.vals[:len(it.vals):len(it.vals)]
		default:
			return nil // null or not iterable: Velocity logs and renders nothing
		}
	}
	count := len(items)
	if isRange {
		c := hi - lo
		if c < 0 {
			c = -c
		}
		if c >= int64(e.lim.MaxSteps) {
			return errSteps
		}
		count = int(c) + 1
	}
	savedVar := e.vars[n.slot]
	fs, cs, hs := e.t.slotForeach, e.t.slotVelocityCount, e.t.slotVelocityHasNext
	var savedF, savedC, savedH any
	var fo *foreachObj
	if fs >= 0 {
		savedF = e.vars[fs]
		parent, _ := savedF.(*foreachObj)
		fo = &foreachObj{parent: parent}
		e.vars[fs] = fo
	}
	if cs >= 0 {
		savedC = e.vars[cs]
	}
	if hs >= 0 {
		savedH = e.vars[hs]
	}
	var err error
	for i := 0; i < count; i++ {
		if err = e.step(); err != nil {
			break
		}
		if isRange {
			if lo <= hi {
				e.vars[n.slot] = lo + int64(i)
			} else {
				e.vars[n.slot] = lo - int64(i)
			}
		} else {
			e.vars[n.slot] = items[i]
		}
		if fo != nil {
			fo.index, fo.hasNext = i, i < count-1
			e.vars[fs] = fo
		}
		if cs >= 0 {
			e.vars[cs] = int64(i + 1)
		}
		if hs >= 0 {
			e.vars[hs] = i < count-1
		}
		if err = e.render(n.body); err != nil {
			if err == errBreak {
				err = nil
			}
			break
		}
	}
	// Velocity puts back whatever the loop variable held before the loop.
	e.vars[n.slot] = savedVar
	if fs >= 0 {
		e.vars[fs] = savedF
	}
	if cs >= 0 {
		e.vars[cs] = savedC
	}
	if hs >= 0 {
		e.vars[hs] = savedH
	}
	return err
}

// blockRef is the value #define gives its reference: rendering it renders
// the block with the variables as they are at that moment.
type blockRef struct {
	pos  int
	body []node
}

func (e *exec) renderBlock(b *blockRef, out *textBuf) error {
	if err := e.enter(); err != nil {
		return err
	}
	defer func() { e.depth-- }()
	saved := e.out
	e.out = out
	err := e.render(b.body)
	e.out = saved
	if err == errBreak {
		err = nil
	}
	return e.at(b.pos, err)
}

func (e *exec) callMacro(n *macroCallNode) error {
	m := e.t.macros[n.name]
	if m == nil {
		// Not a macro: Velocity renders the call as the text it is.
		return e.out.writeString(n.literal)
	}
	if err := e.enter(); err != nil {
		return err
	}
	defer func() { e.depth-- }()
	args := make([]any, len(m.slots))
	for i := range m.slots {
		if i < len(n.args) {
			v, err := e.eval(n.args[i])
			if err != nil {
				return err
			}
			args[i] = v
		}
	}
	if e.argLits == nil {
		e.argLits = make([]string, len(e.vars))
	}
	saved := make([]any, len(m.slots))
	savedLits := make([]string, len(m.slots))
	for i, s := range m.slots {
		saved[i], savedLits[i] = e.vars[s], e.argLits[s]
		e.vars[s] = args[i]
		if i < len(n.argLits) {
			e.argLits[s] = n.argLits[i]
		} else {
			e.argLits[s] = ""
		}
	}
	err := e.render(m.body)
	for i, s := range m.slots {
		e.vars[s], e.argLits[s] = saved[i], savedLits[i]
	}
	if err == errBreak {
		err = nil
	}
	return err
}

// Expressions.

func (e *exec) eval(x expr) (any, error) {
	if err := e.step(); err != nil {
		return nil, err
	}
	switch x := x.(type) {
	case *constExpr:
		return x.v, nil
	case *reference:
		return e.evalRef(x)
	case *interpStr:
		if err := e.enter(); err != nil {
			return nil, e.at(x.pos, err)
		}
		defer func() { e.depth-- }()
		buf := &textBuf{max: e.lim.MaxOutput}
		saved := e.out
		e.out = buf
		err := e.render(x.nodes)
		e.out = saved
		if err != nil && err != errBreak {
			if err == errStop {
				return nil, err
			}
			return nil, e.at(x.pos, err)
		}
		if err := e.charge(len(buf.b)); err != nil {
			return nil, e.at(x.pos, err)
		}
		return string(buf.b), nil
	case *listLit:
		l := &vlist{items: make([]any, len(x.items))}
		for i, it := range x.items {
			v, err := e.eval(it)
			if err != nil {
				return nil, err
			}
			l.items[i] = v
		}
		return l, nil
	case *mapLit:
		m := newMap(len(x.keys))
		for i := range x.keys {
			k, err := e.eval(x.keys[i])
			if err != nil {
				return nil, err
			}
			v, err := e.eval(x.vals[i])
			if err != nil {
				return nil, err
			}
			ks, err := e.keyString(k)
			if err != nil {
				return nil, e.at(x.pos, err)
			}
			m.put(ks, v)
		}
		return m, nil
	case *rangeLit:
		lo, hi, err := e.rangeBounds(x)
		if err != nil {
			return nil, e.at(x.pos, err)
		}
		n := hi - lo
		if n < 0 {
			n = -n
		}
		if n >= int64(e.lim.MaxSteps) {
			return nil, e.at(x.pos, errSteps)
		}
		if err := e.charge(int(n+1) * 16); err != nil {
			return nil, e.at(x.pos, err)
		}
		l := &vlist{items: make([]any, 0, n+1)}
		for i := int64(0); i <= n; i++ {
			if lo <= hi {
				l.items = append(l.items, lo+i)
			} else {
				l.items = append(l.items, lo-i)
			}
		}
		return l, nil
	case *notExpr:
		v, err := e.eval(x.x)
		if err != nil {
			return nil, err
		}
		return !truthy(v), nil
	case *negExpr:
		v, err := e.eval(x.x)
		if err != nil {
			return nil, err
		}
		switch v := v.(type) {
		case int64:
			if v == math.MinInt64 {
				return nil, e.at(x.pos, rtErrorf("integer overflow"))
			}
			return -v, nil
		case float64:
			return -v, nil
		}
		return nil, nil
	case *binExpr:
		return e.evalBinary(x)
	}
	return nil, rtErrorf("unknown expression %T", x)
}

// rangeBounds evaluates [a..b]; both ends must be integers. Velocity 1.7
// logs and yields null for anything else; we report an error, which is
// clearer than a loop that silently does nothing.
func (e *exec) rangeBounds(r *rangeLit) (int64, int64, error) {
	a, err := e.eval(r.from)
	if err != nil {
		return 0, 0, err
	}
	b, err := e.eval(r.to)
	if err != nil {
		return 0, 0, err
	}
	ai, ok1 := toInt(a)
	bi, ok2 := toInt(b)
	if !ok1 || !ok2 {
		return 0, 0, e.at(r.pos, rtErrorf("range bounds must be integers, got %s and %s", typeName(a), typeName(b)))
	}
	return ai, bi, nil
}

func toInt(v any) (int64, bool) {
	switch v := v.(type) {
	case int64:
		return v, true
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int64(v), true
		}
	}
	return 0, false
}

func (e *exec) evalBinary(x *binExpr) (any, error) {
	l, err := e.eval(x.l)
	if err != nil {
		return nil, err
	}
	switch x.op {
	case opAnd:
		if !truthy(l) {
			return false, nil
		}
		r, err := e.eval(x.r)
		if err != nil {
			return nil, err
		}
		return truthy(r), nil
	case opOr:
		if truthy(l) {
			return true, nil
		}
		r, err := e.eval(x.r)
		if err != nil {
			return nil, err
		}
		return truthy(r), nil
	}
	r, err := e.eval(x.r)
	if err != nil {
		return nil, err
	}
	var v any
	switch x.op {
	case opEq, opNe:
		eq, err := e.looseEquals(l, r)
		if err != nil {
			return nil, e.at(x.pos, err)
		}
		if x.op == opNe {
			return !eq, nil
		}
		return eq, nil
	case opLt, opLe, opGt, opGe:
		// Velocity 1.7 compares numbers only; anything else is false.
		c, ok := compareNumbers(l, r)
		if !ok {
			return false, nil
		}
		switch x.op {
		case opLt:
			return c < 0, nil
		case opLe:
			return c <= 0, nil
		case opGt:
			return c > 0, nil
		}
		return c >= 0, nil
	case opAdd:
		ls, lok := l.(string)
		rs, rok := r.(string)
		if lok || rok {
			// String concatenation; a null side shows as its source text.
			if !lok {
				if l == nil {
					ls = x.lLit
				} else if ls, err = e.toString(l); err != nil {
					return nil, e.at(x.pos, err)
				}
			}
			if !rok {
				if r == nil {
					rs = x.rLit
				} else if rs, err = e.toString(r); err != nil {
					return nil, e.at(x.pos, err)
				}
			}
			if len(ls)+len(rs) > e.lim.MaxOutput {
				return nil, e.at(x.pos, errTooLong)
			}
			if err := e.charge(len(ls) + len(rs)); err != nil {
				return nil, e.at(x.pos, err)
			}
			return ls + rs, nil
		}
		v, err = arith(x.op, l, r)
	default:
		v, err = arith(x.op, l, r)
	}
	if err != nil {
		return nil, e.at(x.pos, err)
	}
	return v, nil
}

// arith is Velocity's math on Integer/Long (int64) and Double (float64):
// integer division truncates, a zero divisor or a non-number yields null.
func arith(op opKind, l, r any) (any, error) {
	li, lInt := l.(int64)
	ri, rInt := r.(int64)
	if lInt && rInt {
		switch op {
		case opAdd:
			s := li + ri
			if (s > li) != (ri > 0) {
				return nil, rtErrorf("integer overflow in %d + %d", li, ri)
			}
			return s, nil
		case opSub:
			s := li - ri
			if (s < li) != (ri > 0) {
				return nil, rtErrorf("integer overflow in %d - %d", li, ri)
			}
			return s, nil
		case opMul:
			if li != 0 && ri != 0 {
				p := li * ri
				if p/ri != li || (li == -1 && ri == math.MinInt64) || (ri == -1 && li == math.MinInt64) {
					return nil, rtErrorf("integer overflow in %d * %d", li, ri)
				}
				return p, nil
			}
			return int64(0), nil
		case opDiv, opMod:
			if ri == 0 {
				return nil, nil
			}
			if ri == -1 {
				if op == opMod {
					return int64(0), nil
				}
				if li == math.MinInt64 {
					return nil, rtErrorf("integer overflow in %d / %d", li, ri)
				}
				return -li, nil
			}
			if op == opDiv {
				return li / ri, nil
			}
			return li % ri, nil
		}
	}
	lf, ok1 := toFloat(l)
	rf, ok2 := toFloat(r)
	if !ok1 || !ok2 {
		return nil, nil
	}
	switch op {
	case opAdd:
		return lf + rf, nil
	case opSub:
		return lf - rf, nil
	case opMul:
		return lf * rf, nil
	case opDiv:
		if rf == 0 {
			return nil, nil
		}
		return lf / rf, nil
	case opMod:
		if rf == 0 {
			return nil, nil
		}
		return math.Mod(lf, rf), nil
	}
	return nil, nil
}

func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

func compareNumbers(l, r any) (int, bool) {
	if li, ok := l.(int64); ok {
		if ri, ok := r.(int64); ok {
			switch {
			case li < ri:
				return -1, true
			case li > ri:
				return 1, true
			}
			return 0, true
		}
	}
	lf, ok1 := toFloat(l)
	rf, ok2 := toFloat(r)
	if !ok1 || !ok2 {
		return 0, false
	}
	switch {
	case lf < rf:
		return -1, true
	case lf > rf:
		return 1, true
	case lf == rf:
		return 0, true
	}
	return 0, false // NaN
}

// looseEquals is Velocity 1.7's == : numbers by value; objects of the same
// class with equals(); otherwise their toString() forms, so 1 == "1" and
// true == "true" hold. null equals only null.
func (e *exec) looseEquals(l, r any) (bool, error) {
	if c, ok := compareNumbers(l, r); ok {
		return c == 0, nil
	}
	if l == nil || r == nil {
		return l == nil && r == nil, nil
	}
	if sameClass(l, r) {
		return e.deepEquals(l, r, 0)
	}
	ls, err := e.toString(l)
	if err != nil {
		return false, err
	}
	rs, err := e.toString(r)
	if err != nil {
		return false, err
	}
	return ls == rs, nil
}

func sameClass(l, r any) bool {
	switch l.(type) {
	case string:
		_, ok := r.(string)
		return ok
	case bool:
		_, ok := r.(bool)
		return ok
	case *omap:
		_, ok := r.(*omap)
		return ok
	case *vlist:
		_, ok := r.(*vlist)
		return ok
	case *entry:
		_, ok := r.(*entry)
		return ok
	}
	return l == r
}

// deepEquals is Java's equals(), charging a step per
// element so cyclic or huge structures cannot run away.
func (e *exec) deepEquals(a, b any, depth int) (bool, error) {
	if depth > maxValueDepth {
		return false, errTooDeep
	}
	if err := e.step(); err != nil {
		return false, err
	}
	switch a := a.(type) {
	case *omap:
		bb, ok := b.(*omap)
		if !ok || a.len() != bb.len() {
			return false, nil
		}
		if a == bb {
			return true, nil
		}
		for i, k := range a.keys {
			v, ok := bb.get(k)
			if !ok {
				return false, nil
			}
			eq, err := e.deepEquals(a.vals[i], v, depth+1)
			if err != nil || !eq {
				return false, err
			}
		}
		return true, nil
	case *vlist:
		bb, ok := b.(*vlist)
		if !ok || len(a.items) != len(bb.items) {
			return false, nil
		}
		if a == bb {
			return true, nil
		}
		for i := range a.items {
			eq, err := e.deepEquals(a.items[i], bb.items[i], depth+1)
			if err != nil || !eq {
				return false, err
			}
		}
		return true, nil
	case *entry:
		bb, ok := b.(*entry)
		if !ok || a.key != bb.key {
			return false, nil
		}
		return e.deepEquals(a.val, bb.val, depth+1)
	case float64:
		bb, ok := b.(float64)
		// Double.equals compares bits: NaN equals NaN, 0.0 differs from -0.0.
		return ok && math.Float64bits(a) == math.Float64bits(bb), nil
	}
	return a == b, nil
}

// maxValueDepth bounds recursion when printing or comparing values; JSON
// input is already limited to maxJSONDepth, so only cycles reach it.
const maxValueDepth = maxJSONDepth + 64

// keyString converts a map key to the string our maps use.
func (e *exec) keyString(k any) (string, error) {
	if s, ok := k.(string); ok {
		return s, nil
	}
	return e.toString(k)
}

// toString is Java's String.valueOf for our values.
func (e *exec) toString(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case nil:
		return "null", nil
	case bool:
		return strconv.FormatBool(v), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case float64:
		return javaDouble(v), nil
	}
	t := &textBuf{max: e.lim.MaxOutput}
	if err := e.writeValue(t, v); err != nil {
		return "", err
	}
	if err := e.charge(len(t.b)); err != nil {
		return "", err
	}
	return string(t.b), nil
}

// writeValue writes v's Java toString() form.
func (e *exec) writeValue(t *textBuf, v any) error {
	return e.writeJava(t, v, 0)
}

func (e *exec) writeJava(t *textBuf, v any, depth int) error {
	if depth > maxValueDepth {
		return errTooDeep
	}
	switch v := v.(type) {
	case nil:
		return t.writeString("null")
	case string:
		return t.writeString(v)
	case bool:
		return t.writeString(strconv.FormatBool(v))
	case int64:
		if len(t.b)+20 > t.max {
			return t.writeString(strconv.FormatInt(v, 10))
		}
		t.b = strconv.AppendInt(t.b, v, 10)
		return nil
	case float64:
		return t.writeString(javaDouble(v))
	case *omap:
		// AbstractMap.toString: {k=v, k2=v2}
		if err := e.step(); err != nil {
			return err
		}
		if err := t.writeByte('{'); err != nil {
			return err
		}
		for i, k := range v.keys {
			if i > 0 {
				if err := t.writeString(", "); err != nil {
					return err
				}
			}
			if err := t.writeString(k); err != nil {
				return err
			}
			if err := t.writeByte('='); err != nil {
				return err
			}
			var err error
			if x, ok := v.vals[i].(*omap); ok && x == v {
				err = t.writeString("(this Map)")
			} else {
				err = e.writeJava(t, v.vals[i], depth+1)
			}
			if err != nil {
				return err
			}
		}
		return t.writeByte('}')
	case *vlist:
		if v.json {
			return e.writeJSON(t, v, depth)
		}
		// AbstractCollection.toString: [a, b]
		if err := e.step(); err != nil {
			return err
		}
		if err := t.writeByte('['); err != nil {
			return err
		}
		for i, x := range v.items {
			if i > 0 {
				if err := t.writeString(", "); err != nil {
					return err
				}
			}
			var err error
			if xl, ok := x.(*vlist); ok && xl == v {
				err = t.writeString("(this Collection)")
			} else {
				err = e.writeJava(t, x, depth+1)
			}
			if err != nil {
				return err
			}
		}
		return t.writeByte(']')
	case *entry:
		if err := t.writeString(v.key); err != nil {
			return err
		}
		if err := t.writeByte('='); err != nil {
			return err
		}
		return e.writeJava(t, v.val, depth+1)
	case *blockRef:
		return e.renderBlock(v, t)
	case *inputObj:
		return t.writeString("$input")
	case *utilObj:
		return t.writeString("$util")
	case *foreachObj:
		return t.writeString("$foreach")
	}
	return t.writeString(fmt.Sprint(v))
}

// writeJSON writes v as compact JSON: what $input.json returns and how
// JSON arrays from $input.path print.
func (e *exec) writeJSON(t *textBuf, v any, depth int) error {
	if depth > maxValueDepth {
		return errTooDeep
	}
	switch v := v.(type) {
	case nil:
		return t.writeString("null")
	case string:
		return writeJSONString(t, v)
	case bool, int64:
		return e.writeJava(t, v, depth)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return t.writeString("null")
		}
		return t.writeString(javaDouble(v))
	case *omap:
		if err := e.step(); err != nil {
			return err
		}
		if err := t.writeByte('{'); err != nil {
			return err
		}
		for i, k := range v.keys {
			if i > 0 {
				if err := t.writeByte(','); err != nil {
					return err
				}
			}
			if err := writeJSONString(t, k); err != nil {
				return err
			}
			if err := t.writeByte(':'); err != nil {
				return err
			}
			if err := e.writeJSON(t, v.vals[i], depth+1); err != nil {
				return err
			}
		}
		return t.writeByte('}')
	case *vlist:
		if err := e.step(); err != nil {
			return err
		}
		if err := t.writeByte('['); err != nil {
			return err
		}
		for i, x := range v.items {
			if i > 0 {
				if err := t.writeByte(','); err != nil {
					return err
				}
			}
			if err := e.writeJSON(t, x, depth+1); err != nil {
				return err
			}
		}
		return t.writeByte(']')
	case *entry:
		m := &omap{keys: []string{v.key}, vals: []any{v.val}}
		return e.writeJSON(t, m, depth)
	}
	s, err := e.toString(v)
	if err != nil {
		return err
	}
	return writeJSONString(t, s)
}
