/* proto.c - the wire format of the tree's programs. */
#include <stdio.h>
#include "shared.h"

int proto_encode(char *buf, int len, int value)
{
	return snprintf(buf, (size_t)len, "v=%d", value);
}
