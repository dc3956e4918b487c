package lambda

const fionread = 0x4004667f // FIONREAD: _IOR('f', 127, int), <sys/filio.h>
