raise KeyError("CONFIG")


def handler(event, context):
    return None
