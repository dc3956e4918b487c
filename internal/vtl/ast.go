package vtl

// The template is parsed once into this tree; Execute walks it without
// changing it, so one *Template serves many goroutines. Every node keeps the
// byte offset of its first character for error positions.

type node interface{}

// textNode is literal output, already unescaped as Velocity renders it.
type textNode struct{ text string }

// refNode renders a reference ($a, $!a, ${a.b}, \$a).
type refNode struct{ ref *reference }

type setNode struct {
	pos    int
	target *reference
	value  expr
}

type ifNode struct {
	pos    int
	conds  []expr
	blocks [][]node
	els    []node // nil when there is no #else
}

type foreachNode struct {
	pos    int
	slot   int // the loop variable
	iter   expr
	body   []node
	litVar string
}

type defineNode struct {
	pos  int
	slot int
	body []node
}

// macroCallNode is "#name(args)" or "#name". When no macro of that name
// exists at run time it renders literal, as Velocity's RuntimeMacro does.
type macroCallNode struct {
	pos     int
	name    string
	args    []expr
	argLits []string // source text of each argument, for null rendering
	literal string   // the whole call as written
}

type breakNode struct{ pos int }
type stopNode struct{ pos int }

type macroDef struct {
	pos   int
	name  string
	slots []int // parameter variables
	body  []node
}

// expressions

type expr interface{}

type constExpr struct{ v any } // string, int64, float64 or bool literal

// interpStr is a double-quoted string containing $ or #: Velocity parses
// its content as a template and renders it each time it is evaluated.
type interpStr struct {
	pos   int
	nodes []node
}

type listLit struct {
	pos   int
	items []expr
}

type mapLit struct {
	pos        int
	keys, vals []expr
}

type rangeLit struct {
	pos      int
	from, to expr
}

type opKind uint8

const (
	opOr opKind = iota
	opAnd
	opEq
	opNe
	opLt
	opLe
	opGt
	opGe
	opAdd
	opSub
	opMul
	opDiv
	opMod
)

var opNames = [...]string{"||", "&&", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%"}

type binExpr struct {
	pos        int
	op         opKind
	l, r       expr
	lLit, rLit string // operand source text: "a" + $null renders "a$null"
}

type notExpr struct{ x expr }

type negExpr struct {
	pos int
	x   expr
}

// reference is $name followed by properties, method calls and indexes.
type reference struct {
	pos     int // of the '$'
	slot    int
	name    string
	quiet   bool
	escapes int // backslashes written before the '$'
	parts   []refPart
	literal string // "$a.b(1)" as written, without the backslashes

	escapeJS bool // exactly $util.escapeJavaScript(x): rendered without a temporary
}

type partKind uint8

const (
	partProp partKind = iota
	partMethod
	partIndex
)

type refPart struct {
	kind partKind
	pos  int
	name string
	args []expr // method arguments, or the single index expression
}
