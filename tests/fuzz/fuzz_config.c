/*
 * fuzz_config.c - libFuzzer target for the hotplan.config reader
 * (config_read_text, model/config.h).
 *
 * Checks beyond "no crash, no leak, no UB": a failure is HP_EINPUT or
 * HP_ELIMIT with a message naming the file; after a success the analyzer's
 * lookups run on the config, and every grouped file maps to its module.
 * (After a failure the config is only released: that is all a command does
 * with it.)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_config: %s: %s\n", what, detail);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hp_config cfg;
	struct errbuf err;
	memset(&err, 0, sizeof(err));
	config_init(&cfg);
	int rc = config_read_text(&cfg, "fuzz.config", (const char *)data, size, &err);
	if (rc) {
		if (rc != HP_EINPUT && rc != HP_ELIMIT)
			broken("unexpected status", err.msg);
		if (strncmp(err.msg, "fuzz.config:", 12) != 0)
			broken("failure without the file name", err.msg);
		config_release(&cfg);
		return 0;
	}
	(void)config_spawn_arg(&cfg, "pthread_create");
	(void)config_is_lookup(&cfg, "dlsym");
	(void)config_is_blocking(&cfg, "recv");
	(void)config_group_of(&cfg, "src/sip.c");
	(void)config_analysis_hash(&cfg);
	(void)config_purge_name(cfg.purge);
	for (size_t i = 0; i < cfg.nmodules; i++)
		for (size_t j = 0; j < cfg.modules[i].nfiles; j++)
			if (!config_group_of(&cfg, cfg.modules[i].files[j]))
				broken("a grouped file belongs to no module", cfg.modules[i].files[j]);
	config_release(&cfg);
	return 0;
}
