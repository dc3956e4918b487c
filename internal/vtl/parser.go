package vtl

import (
	"strconv"
	"strings"
	"unicode/utf16"
)

// The parser follows Velocity 1.7's Parser.jjt, including the lexical quirks
// templates depend on for their whitespace:
//
//   - the ')' closing a directive (#if, #elseif, #foreach, #set, #define,
//     #macro, macro calls) eats following spaces and tabs when a newline
//     follows, and that newline;
//   - #else and #end eat the same trailing blanks and newline;
//   - #set also eats the spaces and tabs before it, but only when they start
//     a token: after other text on the same line they are plain text;
//   - ## comments eat their newline, #* *# comments nothing around them.
//
// It is a hand-written recursive descent over the source (Velocity's lexer
// is context sensitive: "$a.b(" is a method call in text, "(" alone is text).

type term uint8

const (
	termEOF term = iota
	termEnd
	termElse
	termElseIf
)

type allow uint8

const (
	allowEnd allow = 1 << iota
	allowElse
)

type parseShared struct {
	source *source
	names  []string
	slots  map[string]int
	macros map[string]*macroDef
}

type parser struct {
	src   string // the template, or the content of an interpolated string
	i     int
	base  int  // template offset of src[0]
	exact bool // src offsets map one-to-one onto the template
	sh    *parseShared
	depth int
}

// Builtin variables have fixed slots so Execute can provide them lazily.
const (
	slotInput = iota
	slotUtil
	slotContext
	slotStageVariables
	numBuiltins
)

// Parse parses a template once (at deploy time). Errors are *Error.
func Parse(src string) (*Template, error) {
	sh := &parseShared{
		source: newSource(src),
		slots:  map[string]int{},
		macros: map[string]*macroDef{},
	}
	if len(src) > MaxTemplateSize {
		return nil, &Error{Line: 1, Column: 1, Msg: "template is " + strconv.Itoa(len(src)) +
			" bytes; API Gateway's limit is " + strconv.Itoa(MaxTemplateSize)}
	}
	for _, n := range []string{"input", "util", "context", "stageVariables"} {
		sh.slot(n)
	}
	p := &parser{src: src, exact: true, sh: sh}
	nodes, _, _, err := p.parseBlock(0)
	if err != nil {
		return nil, err
	}
	t := &Template{
		src:    sh.source,
		nodes:  nodes,
		names:  sh.names,
		macros: sh.macros,
	}
	t.slotForeach = sh.lookup("foreach")
	t.slotVelocityCount = sh.lookup("velocityCount")
	t.slotVelocityHasNext = sh.lookup("velocityHasNext")
	return t, nil
}

func (sh *parseShared) slot(name string) int {
	if s, ok := sh.slots[name]; ok {
		return s
	}
	s := len(sh.names)
	sh.names = append(sh.names, name)
	sh.slots[name] = s
	return s
}

func (sh *parseShared) lookup(name string) int {
	if s, ok := sh.slots[name]; ok {
		return s
	}
	return -1
}

func (p *parser) off(i int) int {
	if p.exact {
		return p.base + i
	}
	return p.base
}

func (p *parser) errf(i int, format string, args ...any) error {
	return p.sh.source.errorf(p.off(i), format, args...)
}

func (p *parser) enter(i int) error {
	p.depth++
	if p.depth > maxParseDepth {
		return p.errf(i, "nesting deeper than %d levels", maxParseDepth)
	}
	return nil
}

// blockBuilder collects a block's nodes, merging adjacent text.
type blockBuilder struct {
	nodes []node
	text  strings.Builder
}

func (b *blockBuilder) addText(s string) { b.text.WriteString(s) }

func (b *blockBuilder) add(n node) {
	b.flush()
	b.nodes = append(b.nodes, n)
}

func (b *blockBuilder) flush() {
	if b.text.Len() > 0 {
		b.nodes = append(b.nodes, &textNode{text: b.text.String()})
		b.text.Reset()
	}
}

// parseBlock parses statements up to the end of input or a terminator
// (#end, #else, #elseif) that the caller allows. tpos is the terminator's
// offset in p.src.
func (p *parser) parseBlock(ok allow) (nodes []node, t term, tpos int, err error) {
	if err := p.enter(p.i); err != nil {
		return nil, 0, 0, err
	}
	defer func() { p.depth-- }()
	var b blockBuilder
	for p.i < len(p.src) {
		if hash, after, isSet := p.setStart(p.i); isSet {
			n, err := p.parseSet(hash, after)
			if err != nil {
				return nil, 0, 0, err
			}
			b.add(n)
			continue
		}
		switch p.src[p.i] {
		case '$':
			if err := p.parseDollar(&b, p.i, p.i, 0); err != nil {
				return nil, 0, 0, err
			}
		case '\\':
			if err := p.parseBackslash(&b); err != nil {
				return nil, 0, 0, err
			}
		case '#':
			start := p.i
			t, err := p.parseHash(&b)
			if err != nil {
				return nil, 0, 0, err
			}
			if t == termEOF {
				continue
			}
			word := map[term]string{termEnd: "#end", termElse: "#else", termElseIf: "#elseif"}[t]
			if t == termEnd && ok&allowEnd == 0 {
				return nil, 0, 0, p.errf(start, "%s without a matching #if, #foreach, #define or #macro", word)
			}
			if (t == termElse || t == termElseIf) && ok&allowElse == 0 {
				return nil, 0, 0, p.errf(start, "%s without a matching #if", word)
			}
			b.flush()
			return b.nodes, t, start, nil
		default:
			j := p.i
			for j < len(p.src) && p.src[j] != '$' && p.src[j] != '#' && p.src[j] != '\\' {
				j++
			}
			b.addText(p.src[p.i:j])
			p.i = j
		}
	}
	b.flush()
	return b.nodes, termEOF, p.i, nil
}

// setStart recognizes Velocity's SET_DIRECTIVE token at a token start:
// blanks, "#set" or "#{set}", spaces, "(".
func (p *parser) setStart(i int) (hash, after int, ok bool) {
	s := p.src
	j := i
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	var k int
	switch {
	case strings.HasPrefix(s[j:], "#set"):
		k = j + 4
	case strings.HasPrefix(s[j:], "#{set}"):
		k = j + 6
	default:
		return 0, 0, false
	}
	for k < len(s) && s[k] == ' ' {
		k++
	}
	if k < len(s) && s[k] == '(' {
		return j, k + 1, true
	}
	return 0, 0, false
}

// eatLineEnd implements the directive-closing rule: blanks followed by a
// newline are consumed together with the newline; blanks alone are not.
func (p *parser) eatLineEnd() {
	s := p.src
	j := p.i
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	switch {
	case j < len(s) && s[j] == '\n':
		p.i = j + 1
	case j < len(s) && s[j] == '\r':
		if j+1 < len(s) && s[j+1] == '\n' {
			p.i = j + 2
		} else {
			p.i = j + 1
		}
	}
}

// leftParen is Velocity's isLeftParenthesis: blanks and newlines, then "(".
func (p *parser) leftParen() bool {
	j := p.i
	for j < len(p.src) {
		switch p.src[j] {
		case ' ', '\t', '\n', '\r':
			j++
			continue
		case '(':
			p.i = j + 1
			return true
		}
		return false
	}
	return false
}

// skipWS skips whitespace and comments inside directives and expressions.
func (p *parser) skipWS() {
	s := p.src
	for p.i < len(s) {
		switch c := s[p.i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			p.i++
		case strings.HasPrefix(s[p.i:], "##"):
			j := strings.IndexAny(s[p.i:], "\r\n")
			if j < 0 {
				p.i = len(s)
			} else {
				p.i += j
			}
		case strings.HasPrefix(s[p.i:], "#*"):
			j := strings.Index(s[p.i+2:], "*#")
			if j < 0 {
				return // the caller reports what it expected instead
			}
			p.i += 2 + j + 2
		default:
			return
		}
	}
}

func (p *parser) expect(c byte, what string) error {
	p.skipWS()
	if p.i < len(p.src) && p.src[p.i] == c {
		p.i++
		return nil
	}
	return p.errf(p.i, "expected %q %s, found %s", string(c), what, p.found())
}

func (p *parser) found() string {
	if p.i >= len(p.src) {
		return "end of template"
	}
	r := []rune(p.src[p.i:min(len(p.src), p.i+8)])
	return strconv.Quote(string(r[:1]))
}

func isAlpha(c byte) bool        { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool        { return c >= '0' && c <= '9' }
func identStart(c byte) bool     { return isAlpha(c) || c == '_' }
func identChar(c byte) bool      { return isAlpha(c) || isDigit(c) || c == '_' || c == '-' }
func wordChar(c byte) bool       { return isAlpha(c) || isDigit(c) || c == '_' || c == '@' }
func directiveStart(c byte) bool { return isAlpha(c) || c == '_' || c == '@' }

// directiveWord reads "#word" or "#{word}" at s[j] == '#'.
func (p *parser) directiveWord(j int) (word string, end int) {
	s := p.src
	k := j + 1
	if k < len(s) && s[k] == '{' {
		k++
		if k >= len(s) || !identStart(s[k]) {
			return "", 0
		}
		e := k + 1
		for e < len(s) && wordChar(s[e]) {
			e++
		}
		if e >= len(s) || s[e] != '}' {
			return "", 0
		}
		return s[k:e], e + 1
	}
	if k >= len(s) || !directiveStart(s[k]) {
		return "", 0
	}
	e := k + 1
	for e < len(s) && wordChar(s[e]) {
		e++
	}
	return s[k:e], e
}

// knownDirective lists the names Velocity 1.7 treats as directives when
// deciding what a backslash before '#' escapes.
func (p *parser) knownDirective(w string) bool {
	switch w {
	case "if", "else", "elseif", "end", "set", "foreach", "include", "parse",
		"macro", "literal", "evaluate", "break", "define", "stop":
		return true
	}
	_, ok := p.sh.macros[w]
	return ok
}

func (p *parser) parseBackslash(b *blockBuilder) error {
	s := p.src
	start := p.i
	j := p.i
	for j < len(s) && s[j] == '\\' {
		j++
	}
	k := j - start
	if j < len(s) && s[j] == '$' {
		return p.parseDollar(b, start, j, k)
	}
	if j < len(s) && s[j] == '#' {
		if w, end := p.directiveWord(j); w != "" {
			if k%2 == 1 {
				// \#if renders "#if" (half the backslashes survive); an
				// unknown \#word stays as written.
				if p.knownDirective(w) {
					b.addText(strings.Repeat(`\`, (k-1)/2) + s[j:end])
				} else {
					b.addText(s[start:end])
				}
				p.i = end
				return nil
			}
			// An even run before a real directive renders half of itself,
			// and the directive runs.
			if p.knownDirective(w) && w != "set" {
				b.addText(strings.Repeat(`\`, k/2))
			} else {
				b.addText(s[start:j])
			}
			p.i = j
			return nil
		}
	}
	b.addText(s[start:j])
	p.i = j
	return nil
}

// parseDollar parses a reference at s[dollar] == '$', preceded by escapes
// backslashes starting at start. Anything that is not a reference is text.
func (p *parser) parseDollar(b *blockBuilder, start, dollar, escapes int) error {
	s := p.src
	// "$\!name" shows "$!name": the backslash keeps it from being a quiet
	// reference (Velocity's "slashbang" rule).
	if j := dollar + 1; j < len(s) && s[j] == '\\' {
		k := j
		for k < len(s) && s[k] == '\\' {
			k++
		}
		if k < len(s) && s[k] == '!' {
			b.addText(s[start:j] + s[j+1:k+1])
			p.i = k + 1
			return nil
		}
	}
	p.i = dollar
	ref, ok, err := p.parseRef()
	if err != nil {
		return err
	}
	if !ok {
		b.addText(s[start : dollar+1])
		p.i = dollar + 1
		return nil
	}
	ref.escapes = escapes
	ref.escapeJS = escapes == 0 && ref.slot == slotUtil && len(ref.parts) == 1 &&
		ref.parts[0].kind == partMethod && ref.parts[0].name == "escapeJavaScript" && len(ref.parts[0].args) == 1
	b.add(&refNode{ref: ref})
	return nil
}

// parseRef parses $name, $!name, ${name}, $!{name} with their parts at
// p.src[p.i] == '$'. ok is false (and p.i unchanged) when the text is not a
// reference at all ("$5", "$ ", "${ x}").
func (p *parser) parseRef() (ref *reference, ok bool, err error) {
	s := p.src
	start := p.i
	j := start + 1
	quiet, formal := false, false
	if j < len(s) && s[j] == '!' {
		quiet = true
		j++
	}
	if j < len(s) && s[j] == '{' {
		formal = true
		j++
	}
	if j >= len(s) || !identStart(s[j]) {
		return nil, false, nil
	}
	k := j + 1
	for k < len(s) && identChar(s[k]) {
		k++
	}
	name := s[j:k]
	ref = &reference{pos: p.off(start), name: name, quiet: quiet, slot: p.sh.slot(name)}
	p.i = k
	if err := p.enter(start); err != nil {
		return nil, false, err
	}
	defer func() { p.depth-- }()
	for p.i < len(s) {
		c := s[p.i]
		if c == '[' {
			pos := p.i
			p.i++
			x, err := p.parseExpr()
			if err != nil {
				return nil, false, err
			}
			if err := p.expect(']', "to close the index"); err != nil {
				return nil, false, err
			}
			ref.parts = append(ref.parts, refPart{kind: partIndex, pos: p.off(pos), args: []expr{x}})
			continue
		}
		if c == '.' && p.i+1 < len(s) && isAlpha(s[p.i+1]) {
			np := p.i + 1
			e := np + 1
			for e < len(s) && identChar(s[e]) {
				e++
			}
			part := refPart{kind: partProp, pos: p.off(np), name: s[np:e]}
			p.i = e
			if e < len(s) && s[e] == '(' {
				part.kind = partMethod
				p.i++
				args, err := p.parseArgs()
				if err != nil {
					return nil, false, err
				}
				part.args = args
			}
			ref.parts = append(ref.parts, part)
			continue
		}
		break
	}
	if formal {
		if p.i >= len(s) || s[p.i] != '}' {
			return nil, false, p.errf(p.i, "expected \"}\" to close ${%s, found %s", name, p.found())
		}
		p.i++
	}
	ref.literal = s[start:p.i]
	return ref, true, nil
}

// parseArgs parses method arguments after "(" up to and including ")".
func (p *parser) parseArgs() ([]expr, error) {
	var args []expr
	p.skipWS()
	if p.i < len(p.src) && p.src[p.i] == ')' {
		p.i++
		return args, nil
	}
	for {
		x, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		args = append(args, x)
		p.skipWS()
		if p.i < len(p.src) && p.src[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.src) && p.src[p.i] == ')' {
			p.i++
			return args, nil
		}
		return nil, p.errf(p.i, "expected \",\" or \")\" in method arguments, found %s", p.found())
	}
}

func (p *parser) parseSet(hash, after int) (node, error) {
	p.i = after
	p.skipWS()
	if p.i >= len(p.src) || p.src[p.i] != '$' {
		return nil, p.errf(p.i, "expected a reference after #set(, found %s", p.found())
	}
	ref, ok, err := p.parseRef()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, p.errf(p.i, "expected a reference after #set(, found %s", p.found())
	}
	if n := len(ref.parts); n > 0 && ref.parts[n-1].kind == partMethod {
		return nil, p.sh.source.errorf(ref.parts[n-1].pos, "cannot assign to a method call")
	}
	p.skipWS()
	if p.i >= len(p.src) || p.src[p.i] != '=' || (p.i+1 < len(p.src) && p.src[p.i+1] == '=') {
		return nil, p.errf(p.i, "expected \"=\" in #set, found %s", p.found())
	}
	p.i++
	val, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if err := p.expect(')', "to close #set"); err != nil {
		return nil, err
	}
	p.eatLineEnd()
	return &setNode{pos: p.off(hash), target: ref, value: val}, nil
}

// parseHash handles '#': comments, unparsed blocks, directives, macro calls,
// and a plain '#'. It returns a terminator when it meets #end/#else/#elseif.
func (p *parser) parseHash(b *blockBuilder) (term, error) {
	s := p.src
	j := p.i
	switch {
	case strings.HasPrefix(s[j:], "##"):
		k := strings.IndexAny(s[j:], "\r\n")
		if k < 0 {
			p.i = len(s)
			return termEOF, nil
		}
		p.i = j + k
		if s[p.i] == '\r' && p.i+1 < len(s) && s[p.i+1] == '\n' {
			p.i++
		}
		p.i++
		return termEOF, nil
	case strings.HasPrefix(s[j:], "#*"):
		k := strings.Index(s[j+2:], "*#")
		if k < 0 {
			return termEOF, p.errf(j, "unterminated #* comment")
		}
		p.i = j + 2 + k + 2
		return termEOF, nil
	case strings.HasPrefix(s[j:], "#[["):
		k := strings.Index(s[j+3:], "]]#")
		if k < 0 {
			return termEOF, p.errf(j, "unterminated #[[ block")
		}
		b.addText(s[j+3 : j+3+k])
		p.i = j + 3 + k + 3
		return termEOF, nil
	}
	word, end := p.directiveWord(j)
	if word == "" {
		b.addText("#")
		p.i = j + 1
		return termEOF, nil
	}
	p.i = end
	switch word {
	case "end":
		p.eatLineEnd()
		return termEnd, nil
	case "else":
		p.eatLineEnd()
		return termElse, nil
	case "elseif":
		return termElseIf, nil
	case "if":
		n, err := p.parseIf(j)
		if err != nil {
			return 0, err
		}
		b.add(n)
	case "foreach":
		n, err := p.parseForeach(j)
		if err != nil {
			return 0, err
		}
		b.add(n)
	case "define":
		n, err := p.parseDefine(j)
		if err != nil {
			return 0, err
		}
		b.add(n)
	case "macro":
		if err := p.parseMacro(j); err != nil {
			return 0, err
		}
	case "break", "stop":
		if p.leftParen() {
			if _, err := p.parseDirectiveArgs(); err != nil {
				return 0, err
			}
			p.eatLineEnd()
		}
		if word == "break" {
			b.add(&breakNode{pos: p.off(j)})
		} else {
			b.add(&stopNode{pos: p.off(j)})
		}
	case "set":
		// "#set" not followed by "(": not a directive (setStart failed).
		b.addText(s[j:end])
	case "include", "parse":
		return 0, p.errf(j, "#%s is not supported: templates cannot read files", word)
	case "evaluate":
		return 0, p.errf(j, "#evaluate is not supported: templates cannot run text as a template")
	case "literal":
		return 0, p.errf(j, "#literal is not supported; use #[[ ... ]]#")
	default:
		if word[0] == '@' {
			return 0, p.errf(j, "block macro calls (#@%s) are not supported", word[1:])
		}
		call := &macroCallNode{pos: p.off(j), name: word}
		if p.leftParen() {
			lits, args, err := p.parseCallArgs()
			if err != nil {
				return 0, err
			}
			call.args, call.argLits = args, lits
			p.eatLineEnd()
		}
		call.literal = s[j:p.i]
		b.add(call)
	}
	return termEOF, nil
}

// parseCond parses "(" expression ")" after #if/#elseif, eating the line end.
func (p *parser) parseCond(dir string) (expr, error) {
	p.skipWS()
	if p.i >= len(p.src) || p.src[p.i] != '(' {
		return nil, p.errf(p.i, "expected \"(\" after #%s, found %s", dir, p.found())
	}
	p.i++
	x, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if err := p.expect(')', "to close #"+dir); err != nil {
		return nil, err
	}
	p.eatLineEnd()
	return x, nil
}

func (p *parser) parseIf(hash int) (node, error) {
	cond, err := p.parseCond("if")
	if err != nil {
		return nil, err
	}
	n := &ifNode{pos: p.off(hash)}
	for {
		block, t, _, err := p.parseBlock(allowEnd | allowElse)
		if err != nil {
			return nil, err
		}
		n.conds = append(n.conds, cond)
		n.blocks = append(n.blocks, block)
		switch t {
		case termEOF:
			return nil, p.errf(hash, "#if has no matching #end")
		case termEnd:
			return n, nil
		case termElseIf:
			if cond, err = p.parseCond("elseif"); err != nil {
				return nil, err
			}
		case termElse:
			els, t, _, err := p.parseBlock(allowEnd)
			if err != nil {
				return nil, err
			}
			if t != termEnd {
				return nil, p.errf(hash, "#if has no matching #end")
			}
			if els == nil {
				els = []node{}
			}
			n.els = els
			return n, nil
		}
	}
}

// simpleRef parses a bare "$name" (loop variables, #define and macro
// parameters).
func (p *parser) simpleRef(what string) (*reference, error) {
	p.skipWS()
	if p.i >= len(p.src) || p.src[p.i] != '$' {
		return nil, p.errf(p.i, "expected %s, found %s", what, p.found())
	}
	at := p.i
	ref, ok, err := p.parseRef()
	if err != nil {
		return nil, err
	}
	if !ok || len(ref.parts) > 0 || ref.quiet {
		return nil, p.errf(at, "expected %s", what)
	}
	return ref, nil
}

func (p *parser) parseForeach(hash int) (node, error) {
	if !p.leftParen() {
		return nil, p.errf(p.i, "expected \"(\" after #foreach, found %s", p.found())
	}
	v, err := p.simpleRef("a loop variable like $item")
	if err != nil {
		return nil, err
	}
	p.skipWS()
	if !(strings.HasPrefix(p.src[p.i:], "in") && (p.i+2 >= len(p.src) || !wordChar(p.src[p.i+2]))) {
		return nil, p.errf(p.i, "expected \"in\" in #foreach, found %s", p.found())
	}
	p.i += 2
	iter, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if err := p.expect(')', "to close #foreach"); err != nil {
		return nil, err
	}
	p.eatLineEnd()
	body, t, _, err := p.parseBlock(allowEnd)
	if err != nil {
		return nil, err
	}
	if t != termEnd {
		return nil, p.errf(hash, "#foreach has no matching #end")
	}
	return &foreachNode{pos: p.off(hash), slot: v.slot, iter: iter, body: body, litVar: v.literal}, nil
}

func (p *parser) parseDefine(hash int) (node, error) {
	if !p.leftParen() {
		return nil, p.errf(p.i, "expected \"(\" after #define, found %s", p.found())
	}
	v, err := p.simpleRef("a reference like $block")
	if err != nil {
		return nil, err
	}
	if err := p.expect(')', "to close #define"); err != nil {
		return nil, err
	}
	p.eatLineEnd()
	body, t, _, err := p.parseBlock(allowEnd)
	if err != nil {
		return nil, err
	}
	if t != termEnd {
		return nil, p.errf(hash, "#define has no matching #end")
	}
	return &defineNode{pos: p.off(hash), slot: v.slot, body: body}, nil
}

func (p *parser) parseMacro(hash int) error {
	if !p.leftParen() {
		return p.errf(p.i, "a macro declaration requires a name: #macro(name $arg ...)")
	}
	p.skipWS()
	k := p.i
	if k >= len(p.src) || !directiveStart(p.src[k]) {
		return p.errf(k, "expected a macro name, found %s", p.found())
	}
	e := k + 1
	for e < len(p.src) && wordChar(p.src[e]) {
		e++
	}
	name := p.src[k:e]
	if p.knownDirective(name) && p.sh.macros[name] == nil {
		return p.errf(k, "cannot name a macro %q: it is a directive", name)
	}
	p.i = e
	def := &macroDef{pos: p.off(hash), name: name}
	for {
		p.skipWS()
		if p.i < len(p.src) && p.src[p.i] == ',' {
			p.i++
			p.skipWS()
		}
		if p.i < len(p.src) && p.src[p.i] == ')' {
			p.i++
			break
		}
		v, err := p.simpleRef("a macro parameter like $arg or \")\"")
		if err != nil {
			return err
		}
		def.slots = append(def.slots, v.slot)
	}
	p.eatLineEnd()
	// Register before the body so recursive calls resolve, as Velocity does.
	p.sh.macros[name] = def
	body, t, _, err := p.parseBlock(allowEnd)
	if err != nil {
		return err
	}
	if t != termEnd {
		return p.errf(hash, "#macro has no matching #end")
	}
	def.body = body
	return nil
}

// parseCallArgs parses macro-call arguments after "(": expressions or bare
// words, separated by blanks or commas.
func (p *parser) parseCallArgs() (lits []string, args []expr, err error) {
	for {
		p.skipWS()
		if p.i < len(p.src) && p.src[p.i] == ',' {
			p.i++
			p.skipWS()
		}
		if p.i >= len(p.src) {
			return nil, nil, p.errf(p.i, "expected \")\" to close the macro call, found end of template")
		}
		if p.src[p.i] == ')' {
			p.i++
			return lits, args, nil
		}
		start := p.i
		var x expr
		if w := p.bareWord(); w != "" {
			x = &constExpr{v: w}
		} else if x, err = p.parseExpr(); err != nil {
			return nil, nil, err
		}
		lits = append(lits, p.src[start:p.i])
		args = append(args, x)
	}
}

// parseDirectiveArgs parses and discards the arguments of #break/#stop.
func (p *parser) parseDirectiveArgs() ([]expr, error) {
	_, args, err := p.parseCallArgs()
	return args, err
}

// bareWord consumes a directive WORD argument that is not true/false or an
// operator word.
func (p *parser) bareWord() string {
	s := p.src
	if p.i >= len(s) || !directiveStart(s[p.i]) {
		return ""
	}
	e := p.i + 1
	for e < len(s) && wordChar(s[e]) {
		e++
	}
	w := s[p.i:e]
	switch w {
	case "true", "false", "not":
		return ""
	}
	p.i = e
	return w
}

// Expressions.

func (p *parser) parseExpr() (expr, error) {
	if err := p.enter(p.i); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	return p.parseBinary(0)
}

// precedence levels, loosest first
var levels = [][]opKind{
	{opOr},
	{opAnd},
	{opEq, opNe},
	{opLt, opLe, opGt, opGe},
	{opAdd, opSub},
	{opMul, opDiv, opMod},
}

func (p *parser) parseBinary(level int) (expr, error) {
	if level == len(levels) {
		return p.parseUnary()
	}
	p.skipWS()
	lstart := p.i
	l, err := p.parseBinary(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		p.skipWS()
		opPos := p.i
		op, n, ok := p.peekOp()
		if !ok || !containsOp(levels[level], op) {
			return l, nil
		}
		lLit := strings.TrimSpace(p.src[lstart:opPos])
		p.i += n
		p.skipWS()
		rstart := p.i
		r, err := p.parseBinary(level + 1)
		if err != nil {
			return nil, err
		}
		rLit := strings.TrimSpace(p.src[rstart:p.i])
		l = &binExpr{pos: p.off(opPos), op: op, l: l, r: r, lLit: lLit, rLit: rLit}
	}
}

func containsOp(ops []opKind, op opKind) bool {
	for _, o := range ops {
		if o == op {
			return true
		}
	}
	return false
}

// peekOp recognizes a binary operator in either spelling.
func (p *parser) peekOp() (opKind, int, bool) {
	s := p.src[p.i:]
	if len(s) == 0 {
		return 0, 0, false
	}
	two := ""
	if len(s) >= 2 {
		two = s[:2]
	}
	switch two {
	case "||":
		return opOr, 2, true
	case "&&":
		return opAnd, 2, true
	case "==":
		return opEq, 2, true
	case "!=":
		return opNe, 2, true
	case "<=":
		return opLe, 2, true
	case ">=":
		return opGe, 2, true
	}
	switch s[0] {
	case '<':
		return opLt, 1, true
	case '>':
		return opGt, 1, true
	case '+':
		return opAdd, 1, true
	case '-':
		return opSub, 1, true
	case '*':
		return opMul, 1, true
	case '/':
		return opDiv, 1, true
	case '%':
		return opMod, 1, true
	}
	if isAlpha(s[0]) {
		e := 1
		for e < len(s) && wordChar(s[e]) {
			e++
		}
		switch s[:e] {
		case "or":
			return opOr, e, true
		case "and":
			return opAnd, e, true
		case "eq":
			return opEq, e, true
		case "ne":
			return opNe, e, true
		case "lt":
			return opLt, e, true
		case "le":
			return opLe, e, true
		case "gt":
			return opGt, e, true
		case "ge":
			return opGe, e, true
		}
	}
	return 0, 0, false
}

func (p *parser) parseUnary() (expr, error) {
	if err := p.enter(p.i); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.skipWS()
	s := p.src
	if p.i < len(s) && s[p.i] == '!' && !(p.i+1 < len(s) && s[p.i+1] == '=') {
		p.i++
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return &notExpr{x: x}, nil
	}
	if strings.HasPrefix(s[p.i:], "not") && (p.i+3 >= len(s) || !wordChar(s[p.i+3])) {
		p.i += 3
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return &notExpr{x: x}, nil
	}
	if p.i < len(s) && s[p.i] == '-' {
		pos := p.i
		p.i++
		if p.i < len(s) && (isDigit(s[p.i]) || s[p.i] == '.' && p.i+1 < len(s) && isDigit(s[p.i+1])) {
			return p.parseNumber(pos, true)
		}
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return &negExpr{pos: p.off(pos), x: x}, nil
	}
	return p.parsePrimary()
}

func (p *parser) parsePrimary() (expr, error) {
	p.skipWS()
	s := p.src
	if p.i >= len(s) {
		return nil, p.errf(p.i, "expected an expression, found end of template")
	}
	c := s[p.i]
	switch {
	case c == '"' || c == '\'':
		return p.parseString()
	case c == '$':
		at := p.i
		ref, ok, err := p.parseRef()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, p.errf(at, "expected a reference after \"$\"")
		}
		return ref, nil
	case c == '(':
		p.i++
		x, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(')', "to close the parenthesis"); err != nil {
			return nil, err
		}
		return x, nil
	case c == '[':
		return p.parseListOrRange()
	case c == '{':
		return p.parseMap()
	case isDigit(c) || c == '.' && p.i+1 < len(s) && isDigit(s[p.i+1]):
		return p.parseNumber(p.i, false)
	case isAlpha(c):
		e := p.i + 1
		for e < len(s) && wordChar(s[e]) {
			e++
		}
		switch s[p.i:e] {
		case "true":
			p.i = e
			return &constExpr{v: true}, nil
		case "false":
			p.i = e
			return &constExpr{v: false}, nil
		}
		return nil, p.errf(p.i, "unexpected word %q in expression (references start with $, strings are quoted)", s[p.i:e])
	}
	return nil, p.errf(p.i, "expected an expression, found %s", p.found())
}

func (p *parser) parseNumber(start int, neg bool) (expr, error) {
	s := p.src
	j := p.i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	isFloat := false
	// "1..3" is a range of integers; "1." and "1.5" are doubles.
	if j < len(s) && s[j] == '.' && !(j+1 < len(s) && s[j+1] == '.') {
		isFloat = true
		j++
		for j < len(s) && isDigit(s[j]) {
			j++
		}
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && isDigit(s[k]) {
			isFloat = true
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			j = k
		}
	}
	text := s[p.i:j]
	if neg {
		text = "-" + text
	}
	p.i = j
	if isFloat {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil && f == 0 {
			return nil, p.errf(start, "invalid number %q", text)
		}
		return &constExpr{v: f}, nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return nil, p.errf(start, "integer %s is out of range", text)
	}
	return &constExpr{v: n}, nil
}

func (p *parser) parseListOrRange() (expr, error) {
	pos := p.i
	p.i++ // [
	p.skipWS()
	if p.i < len(p.src) && p.src[p.i] == ']' {
		p.i++
		return &listLit{pos: p.off(pos)}, nil
	}
	first, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	p.skipWS()
	if strings.HasPrefix(p.src[p.i:], "..") {
		p.i += 2
		last, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(']', "to close the range"); err != nil {
			return nil, err
		}
		return &rangeLit{pos: p.off(pos), from: first, to: last}, nil
	}
	l := &listLit{pos: p.off(pos), items: []expr{first}}
	for {
		p.skipWS()
		if p.i < len(p.src) && p.src[p.i] == ',' {
			p.i++
			x, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			l.items = append(l.items, x)
			continue
		}
		if err := p.expect(']', "to close the list"); err != nil {
			return nil, err
		}
		return l, nil
	}
}

func (p *parser) parseMap() (expr, error) {
	pos := p.i
	p.i++ // {
	m := &mapLit{pos: p.off(pos)}
	p.skipWS()
	if p.i < len(p.src) && p.src[p.i] == '}' {
		p.i++
		return m, nil
	}
	for {
		k, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(':', "between a map key and its value"); err != nil {
			return nil, err
		}
		v, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		m.keys = append(m.keys, k)
		m.vals = append(m.vals, v)
		p.skipWS()
		if p.i < len(p.src) && p.src[p.i] == ',' {
			p.i++
			continue
		}
		if err := p.expect('}', "to close the map"); err != nil {
			return nil, err
		}
		return m, nil
	}
}

// parseString parses a string literal. As in Velocity 1.7, a backslash is
// an ordinary character (only \uXXXX is decoded, in double quotes), and a
// doubled quote stands for one. Double-quoted strings containing $ or # are
// templates of their own, parsed here and rendered at each evaluation.
func (p *parser) parseString() (expr, error) {
	s := p.src
	q := s[p.i]
	start := p.i
	j := p.i + 1
	for {
		if j >= len(s) {
			return nil, p.errf(start, "unterminated string literal")
		}
		if s[j] == q {
			if j+1 < len(s) && s[j+1] == q {
				j += 2
				continue
			}
			break
		}
		j++
	}
	raw := s[start+1 : j]
	p.i = j + 1
	content := raw
	changed := false
	if q == '"' && strings.Contains(content, `\u`) {
		var err error
		if content, err = unescapeUnicode(content); err != nil {
			return nil, p.errf(start, "%v", err)
		}
		changed = true
	}
	dq := string([]byte{q, q})
	if strings.Contains(content, dq) {
		content = strings.ReplaceAll(content, dq, string(q))
		changed = true
	}
	if q != '"' || !strings.ContainsAny(raw, "$#") {
		return &constExpr{v: content}, nil
	}
	sub := &parser{src: content, base: p.off(start + 1), exact: p.exact && !changed, sh: p.sh, depth: p.depth}
	nodes, _, _, err := sub.parseBlock(0)
	if err != nil {
		return nil, err
	}
	if len(nodes) == 0 {
		return &constExpr{v: ""}, nil
	}
	if t, ok := nodes[0].(*textNode); ok && len(nodes) == 1 {
		return &constExpr{v: t.text}, nil
	}
	return &interpStr{pos: p.off(start), nodes: nodes}, nil
}

func unescapeUnicode(s string) (string, error) {
	var b strings.Builder
	var units []uint16
	flush := func() {
		if len(units) > 0 {
			b.WriteString(string(utf16.Decode(units)))
			units = units[:0]
		}
	}
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], `\u`) {
			if len(s)-i < 6 {
				return "", errBadUnicode
			}
			n, err := strconv.ParseUint(s[i+2:i+6], 16, 16)
			if err != nil {
				return "", errBadUnicode
			}
			units = append(units, uint16(n))
			i += 6
			continue
		}
		flush()
		b.WriteByte(s[i])
		i++
	}
	flush()
	return b.String(), nil
}
