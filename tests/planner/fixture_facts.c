/*
 * fixture_facts.c - writes the facts of fixture.c's release (fx_release) as
 * two facts files, so that the end-to-end OTP check can plan a release that
 * needs every kind of instruction (samples/callsrv has no update).
 *
 *   plan_fixture_facts OLD.json NEW.json
 */
#include <stdio.h>

#include "facts.h"
#include "fileio.h"
#include "fixture.h"

int main(int argc, char **argv)
{
	struct errbuf err;
	if (argc != 3) {
		fprintf(stderr, "usage: plan_fixture_facts OLD.json NEW.json\n");
		return 2;
	}
	for (int v = 0; v < 2; v++) {
		struct facts *f = fx_new(v ? "fixture/v2" : "fixture/v1");
		struct strbuf sb = STRBUF_INIT;
		fx_release(f, v);
		fx_finish(f);
		facts_write_json(f, &sb);
		int rc = fileio_write(argv[1 + v], sb.buf, sb.len, &err);
		sb_release(&sb);
		facts_free(f);
		if (rc) {
			fprintf(stderr, "plan_fixture_facts: %s\n", err.msg);
			return 2;
		}
	}
	return 0;
}
