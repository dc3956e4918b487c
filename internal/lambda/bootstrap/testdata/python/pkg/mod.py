def fn(event, context):
    return "pkg.mod.fn"
