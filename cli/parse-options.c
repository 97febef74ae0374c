/*
 * parse-options.c - opt_parse() and the --help of an option table
 * (parse-options.h).
 *
 * getopt_long does the scanning: the table becomes its struct option array
 * (each long option's val is OPT_LONG_BASE + its index in the table) and its
 * short-option string, both built per call and freed before returning. The
 * values are then stored, and checked, from the table entry alone, so a bad
 * value's message names the option as the user wrote it (-j or --jobs) and
 * lists what it accepts in the table's order.
 *
 * --help: the usage line lists every option (the short name when there is
 * one), wrapped under the command's name; the options section puts each
 * option's help in one column, word-wrapped at WIDTH, an enum's words with
 * their own help on lines of their own.
 */
#include "parse-options.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define OPT_LONG_BASE 256
#define WIDTH 79      /* help lines are at most this long */
#define HELP_COL 22   /* help starts at most here; longer names get a line of their own */

static size_t count_opts(const struct opt *opts)
{
	size_t n = 0;
	while (opts[n].type != OPT_T_END)
		n++;
	return n;
}

/* "a, b or c": the words of an enum, for messages. */
static void words_list(struct strbuf *sb, const struct opt_word *w)
{
	for (size_t i = 0; w[i].word; i++) {
		if (i)
			sb_adds(sb, w[i + 1].word ? ", " : " or ");
		sb_adds(sb, w[i].word);
	}
}

/* "a|b|c": the words of an enum, for the usage line. */
static void words_bar(struct strbuf *sb, const struct opt_word *w)
{
	for (size_t i = 0; w[i].word; i++) {
		if (i)
			sb_addc(sb, '|');
		sb_adds(sb, w[i].word);
	}
}

/*
 * Stores arg as o's value; name is the option as the user wrote it. Returns
 * 0, or 2 after printing the usage error.
 */
static int set_value(const char *cmd, const struct opt *o, const char *name, const char *arg)
{
	switch (o->type) {
	case OPT_T_FLAG:
		*(int *)o->value = 1;
		return 0;
	case OPT_T_STRING:
		*(const char **)o->value = arg;
		return 0;
	case OPT_T_UINT: {
		unsigned long v;
		if (cli_parse_uint(arg, o->max, &v) || v < o->min)
			return cli_usage_error(cmd, "%s needs a number from %lu to %lu, not '%s'", name,
					       o->min, o->max, arg);
		*(unsigned long *)o->value = v;
		return 0;
	}
	case OPT_T_ENUM:
	case OPT_T_WORD:
		for (size_t i = 0; o->words[i].word; i++) {
			if (strcmp(o->words[i].word, arg))
				continue;
			if (o->type == OPT_T_ENUM)
				*(int *)o->value = o->words[i].value;
			else
				*(const char **)o->value = o->words[i].word;
			return 0;
		}
		struct strbuf sb = STRBUF_INIT;
		words_list(&sb, o->words);
		cli_usage_error(cmd, "%s must be %s, not '%s'", name, sb.buf, arg);
		sb_release(&sb);
		return 2;
	case OPT_T_END:
		break;
	}
	return 2;
}

/* The getopt_long tables of opts: *longs (heap) and the short string in sb. */
static void getopt_tables(const struct opt *opts, size_t n, struct option **longs,
			  struct strbuf *shorts)
{
	struct option *lo = xcalloc(n + 2, sizeof(*lo));
	size_t k = 0;
	sb_adds(shorts, ":h");
	for (size_t i = 0; i < n; i++) {
		int has_arg = opts[i].type == OPT_T_FLAG ? no_argument : required_argument;
		if (opts[i].long_name)
			lo[k++] = (struct option){ opts[i].long_name, has_arg, NULL,
						   OPT_LONG_BASE + (int)i };
		if (opts[i].short_name) {
			sb_addc(shorts, opts[i].short_name);
			if (has_arg == required_argument)
				sb_addc(shorts, ':');
		}
	}
	lo[k++] = (struct option){ "help", no_argument, NULL, 'h' };
	*longs = lo;
}

/* The table index of short option c, or -1. */
static int find_short(const struct opt *opts, size_t n, int c)
{
	for (size_t i = 0; i < n; i++)
		if (opts[i].short_name == c)
			return (int)i;
	return -1;
}

int opt_parse(const struct opt_command *cmd, const struct opt *opts, int argc, char **argv,
	      int *status)
{
	size_t n = count_opts(opts);
	struct option *longs;
	struct strbuf shorts = STRBUF_INIT, name = STRBUF_INIT;
	int c, rc = 0;
	getopt_tables(opts, n, &longs, &shorts);
	optind = 1;
	opterr = 0;
	while (!rc && (c = getopt_long(argc, argv, shorts.buf, longs, NULL)) != -1) {
		int i = c >= OPT_LONG_BASE ? c - OPT_LONG_BASE : -1;
		if (c == 'h') {
			opt_print_help(cmd, opts, stdout);
			rc = -1;
		} else if (c == ':') {
			rc = cli_usage_error(cmd->name, "option '%s' needs a value", argv[optind - 1]);
		} else if (c == '?' && optopt >= OPT_LONG_BASE) {
			rc = cli_usage_error(cmd->name, "option '--%s' takes no value",
					     opts[optopt - OPT_LONG_BASE].long_name);
		} else if (c == '?' && optopt == 'h' && !strncmp(argv[optind - 1], "--", 2)) {
			rc = cli_usage_error(cmd->name, "option '--help' takes no value");
		} else if (c == '?' && optopt) {
			rc = cli_usage_error(cmd->name, "unknown option '-%c'", optopt);
		} else if (c == '?') {
			rc = cli_usage_error(cmd->name, "unknown option '%s'", argv[optind - 1]);
		} else {
			if (i < 0)
				i = find_short(opts, n, c);
			sb_reset(&name);
			if (c >= OPT_LONG_BASE)
				sb_addf(&name, "--%s", opts[i].long_name);
			else
				sb_addf(&name, "-%c", c);
			rc = set_value(cmd->name, &opts[i], name.buf, optarg);
		}
	}
	free(longs);
	sb_release(&shorts);
	sb_release(&name);
	if (rc) {
		*status = rc < 0 ? 0 : rc;
		return -1;
	}
	*status = 0;
	return optind;
}

/* ---- --help ---------------------------------------------------------------------- */

/* The option as the usage line shows it: "-o FILE", "--purge a|b" (an enum's
 * words, whatever its argh), "--down". */
static void usage_form(struct strbuf *sb, const struct opt *o)
{
	if (o->short_name)
		sb_addf(sb, "-%c", o->short_name);
	else
		sb_addf(sb, "--%s", o->long_name);
	if (o->type == OPT_T_FLAG)
		return;
	sb_addc(sb, ' ');
	if (o->words)
		words_bar(sb, o->words);
	else
		sb_adds(sb, o->argh);
}

static void print_usage_line(const struct opt_command *cmd, const struct opt *opts, FILE *fp)
{
	struct strbuf line = STRBUF_INIT, item = STRBUF_INIT;
	sb_addf(&line, "usage: hotplan %s%s%s", cmd->name, *cmd->operands ? " " : "",
		cmd->operands);
	size_t indent = strlen("usage: hotplan ") + strlen(cmd->name) + 1;
	for (const struct opt *o = opts; o->type != OPT_T_END; o++) {
		sb_reset(&item);
		sb_addc(&item, '[');
		usage_form(&item, o);
		while ((o->flags & OPT_OR_NEXT) && o[1].type != OPT_T_END) {
			o++;
			sb_adds(&item, " | ");
			usage_form(&item, o);
		}
		sb_addc(&item, ']');
		if (line.len + 1 + item.len > WIDTH) {
			fprintf(fp, "%s\n", line.buf);
			sb_reset(&line);
			sb_addf(&line, "%*s%s", (int)indent, "", item.buf);
		} else {
			sb_addf(&line, " %s", item.buf);
		}
	}
	fprintf(fp, "%s\n", line.buf);
	sb_release(&line);
	sb_release(&item);
}

/*
 * Prints left, then text word-wrapped in the column col; left wider than
 * the column puts text on the next line. A '\n' in text breaks the line.
 */
static void print_wrapped(FILE *fp, const char *left, const char *text, size_t col)
{
	size_t len = strlen(left);
	fputs(left, fp);
	if (len + 2 > col) {
		fputc('\n', fp);
		len = 0;
	}
	int fresh = 1;  /* nothing on the line but the indent */
	const char *s = text;
	while (*s) {
		if (*s == '\n' || *s == ' ') {
			if (*s == '\n') {
				fputc('\n', fp);
				len = 0;
				fresh = 1;
			}
			s++;
			continue;
		}
		size_t w = strcspn(s, " \n");
		if (!fresh && len + 1 + w > WIDTH) {
			fputc('\n', fp);
			len = 0;
			fresh = 1;
		}
		if (fresh) {
			fprintf(fp, "%*s", (int)(col - len), "");
			len = col;
		} else {
			fputc(' ', fp);
			len++;
		}
		fwrite(s, 1, w, fp);
		len += w;
		fresh = 0;
		s += w;
	}
	fputc('\n', fp);
}

/* The option as --help's left column shows it: "  -o, --output FILE". */
static void help_form(struct strbuf *sb, const struct opt *o, const char *word)
{
	sb_adds(sb, "  ");
	if (o->short_name && o->long_name)
		sb_addf(sb, "-%c, --%s", o->short_name, o->long_name);
	else if (o->short_name)
		sb_addf(sb, "-%c", o->short_name);
	else
		sb_addf(sb, "--%s", o->long_name);
	if (word) {
		sb_addf(sb, " %s", word);
		return;
	}
	if (o->type == OPT_T_FLAG)
		return;
	sb_addc(sb, ' ');
	if (o->words && !o->argh)
		words_bar(sb, o->words);
	else
		sb_adds(sb, o->argh);
}

/* Whether an enum's words get lines of their own. */
static int words_have_help(const struct opt *o)
{
	return o->words && o->words[0].word && o->words[0].help;
}

static void print_options(const struct opt *opts, FILE *fp)
{
	static const struct opt help = OPT_FLAG('h', "help", (int *)NULL, "show this help");
	struct strbuf left = STRBUF_INIT;
	size_t col = 0;
	for (const struct opt *o = opts;; o++) {
		const struct opt *e = o->type == OPT_T_END ? &help : o;
		for (size_t k = 0; k == 0 || (words_have_help(e) && e->words[k].word); k++) {
			sb_reset(&left);
			help_form(&left, e, words_have_help(e) ? e->words[k].word : NULL);
			if (left.len + 2 <= HELP_COL && left.len + 2 > col)
				col = left.len + 2;
		}
		if (e == &help)
			break;
	}
	fputs("options:\n", fp);
	for (const struct opt *o = opts;; o++) {
		const struct opt *e = o->type == OPT_T_END ? &help : o;
		if (words_have_help(e)) {
			for (size_t k = 0; e->words[k].word; k++) {
				sb_reset(&left);
				help_form(&left, e, e->words[k].word);
				print_wrapped(fp, left.buf, e->words[k].help, col);
			}
		} else {
			sb_reset(&left);
			help_form(&left, e, NULL);
			print_wrapped(fp, left.buf, e->help, col);
		}
		if (e == &help)
			break;
	}
	sb_release(&left);
}

void opt_print_help(const struct opt_command *cmd, const struct opt *opts, FILE *fp)
{
	print_usage_line(cmd, opts, fp);
	fprintf(fp, "\n%s\n", cmd->prose);
	print_options(opts, fp);
	if (cmd->epilogue)
		fprintf(fp, "\n%s", cmd->epilogue);
	if (cmd->epilogue_fn) {
		if (!cmd->epilogue)
			fputc('\n', fp);
		cmd->epilogue_fn(fp);
	}
}
