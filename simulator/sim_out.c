/*
 * sim_out.c - text and JSON renderings of a prediction.
 *
 * JSON ("hotplan-outcome", version 1): killed, race, order_race, step_races,
 * node_down;
 * upgrades[] {script, result (ok|error|EXIT|restart_emulator|hang|
 * node_down|not_run), returned (the Erlang term eval_script returned),
 * old_processes, unpurged[] {module, method}, node_restart}; events[]
 * {upgrade, instr (0-based; the script length for make_permanent), op,
 * step (in the step after the instruction), event, reason, pid, name,
 * supervisor, module, and for restarts version, alt_version, order_race};
 * suspensions[] {upgrade, pid, name, module, from, to, ended}; modules[]
 * {name, current, old} (final); unpurged[] (release_handler's stored list
 * at the end); alternative: the same for the race alternative, or null.
 *
 * Invariant: output depends only on the report: events in the order they
 * happened (which is deterministic), modules sorted by name, so the same
 * inputs give byte-identical output.
 */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "term.h"

static const char *proc_pid(const struct sim *s, int32_t p)
{
	return sim_runtime(s)->processes.items[p].pid;
}

static const char *proc_name(const struct sim *s, int32_t p)
{
	return sim_runtime(s)->processes.items[p].name;
}

static const char *sup_name(const struct sim *s, int32_t i)
{
	return sim_runtime(s)->supervisors.items[i].name;
}

static void put_version_text(const struct sim *s, struct strbuf *sb, int32_t v)
{
	int is_int;
	const char *t = sim_version_text(s, v, &is_int);
	if (!t)
		sb_adds(sb, "none");
	else if (is_int)
		sb_adds(sb, t);
	else
		sb_addf(sb, "\"%s\"", t);
}

static void put_version_json(const struct sim *s, struct jsonw *w, int32_t v)
{
	int is_int;
	const char *t = sim_version_text(s, v, &is_int);
	if (!t)
		jsonw_null(w);
	else if (is_int)
		jsonw_raw(w, t);
	else
		jsonw_string(w, t);
}

/* Module indices sorted by name (names are unique: the order is total). */
static int32_t *sorted_modules(const struct sim *s, size_t *n)
{
	struct pair {
		const char *name;  /* first: hp_strcmp_ptr compares it */
		int32_t i;
	} *pairs;
	*n = sim_module_count(s);
	pairs = xmalloc((*n + 1) * sizeof(*pairs));
	for (size_t i = 0; i < *n; i++) {
		pairs[i].name = sim_module_name(s, (int32_t)i);
		pairs[i].i = (int32_t)i;
	}
	qsort(pairs, *n, sizeof(*pairs), hp_strcmp_ptr);
	int32_t *idx = xmalloc((*n + 1) * sizeof(int32_t));
	for (size_t i = 0; i < *n; i++)
		idx[i] = pairs[i].i;
	free(pairs);
	return idx;
}

/* ---- suspensions ------------------------------------------------------------ */

enum susp_end { SUSP_RESUMED, SUSP_DIED, SUSP_OPEN };

static const char *susp_end_name(enum susp_end e)
{
	static const char *const names[] = { "resumed", "died", "still_suspended" };
	return names[e];
}

/* One suspension of one process: from the suspend to its resume or death. */
struct suspension {
	uint32_t script, from, to;
	int32_t proc, module;
	enum susp_end end;
};

/* Pairs SUSPENDED events with the RESUMED (or KILLED/STOPPED) event that
 * ends them, in the order the suspensions began. Caller frees. */
static struct suspension *suspensions(struct sim *s, size_t *n)
{
	const struct sim_outcome *o = sim_outcome(s);
	VEC(struct suspension) v = {0};
	int32_t *open = NULL;
	for (size_t i = 0; i < o->nevents; i++) {
		const struct sim_event *e = &o->events[i];
		if (e->proc < 0)
			continue;
		if (e->kind == SIM_EV_SUSPENDED) {
			if (!open) {
				size_t np = sim_runtime(s)->processes.n;
				open = xmalloc(np * sizeof(int32_t));
				for (size_t k = 0; k < np; k++)
					open[k] = -1;
			}
			if (open[e->proc] >= 0)
				continue;  /* suspended again for another module */
			struct suspension sp = { e->script, e->instr, 0, e->proc, e->module, SUSP_OPEN };
			VEC_PUSH(&v, sp);
			open[e->proc] = (int32_t)(v.n - 1);
		} else if (open && open[e->proc] >= 0 &&
			   (e->kind == SIM_EV_RESUMED || e->kind == SIM_EV_KILLED || e->kind == SIM_EV_STOPPED)) {
			struct suspension *sp = &v.items[open[e->proc]];
			sp->to = e->instr;
			sp->end = e->kind == SIM_EV_RESUMED ? SUSP_RESUMED : SUSP_DIED;
			open[e->proc] = -1;
		}
	}
	free(open);
	*n = v.n;
	return v.items;
}

/* ---- text ------------------------------------------------------------------- */

static void text_where(const struct sim *s, struct strbuf *sb, const struct sim_event *e)
{
	const struct sim_result *r = &sim_outcome((struct sim *)s)->results[e->script];
	if (e->permanent) {
		sb_adds(sb, "  make_permanent");
	} else {
		sb_addf(sb, "  %s#%u ", e->in_step ? "after " : "", e->instr + 1);
		if (r->script && e->instr < r->script->n)
			term_write(sb, r->script->instrs[e->instr].term);
	}
	sb_adds(sb, ": ");
}

static void text_event(const struct sim *s, struct strbuf *sb, const struct sim_event *e)
{
	text_where(s, sb, e);
	sb_adds(sb, sim_event_name(e->kind));
	if (e->proc >= 0) {
		sb_addf(sb, " %s", proc_pid(s, e->proc));
		if (strcmp(proc_name(s, e->proc), proc_pid(s, e->proc)))
			sb_addf(sb, " (%s)", proc_name(s, e->proc));
	} else if (e->sup >= 0) {
		sb_addf(sb, " %s", sup_name(s, e->sup));
	}
	switch (e->kind) {
	case SIM_EV_KILLED:
		sb_addf(sb, ": %s", sim_reason_name(e->reason));
		if (e->module >= 0) {
			if (e->reason == SIM_R_KILLED)
				sb_addf(sb, ", running old code of %s", sim_module_name(s, e->module));
			else if (e->reason == SIM_R_BADFUN)
				sb_addf(sb, ", called a fun of purged code of %s", sim_module_name(s, e->module));
			else if (e->reason == SIM_R_UNDEF)
				sb_addf(sb, ", %s has no current code", sim_module_name(s, e->module));
		}
		break;
	case SIM_EV_RESTARTED:
	case SIM_EV_STARTED:
		if (e->module >= 0) {
			sb_addf(sb, " in %s version ", sim_module_name(s, e->module));
			put_version_text(s, sb, e->version);
		}
		if (e->alt_version != RT_NONE) {
			sb_adds(sb, " (race with the load: or version ");
			put_version_text(s, sb, e->alt_version);
			sb_addc(sb, ')');
		}
		if (e->order_race)
			sb_adds(sb, " (race: another child killed by this purge may be the one restarted)");
		break;
	case SIM_EV_SUSPENDED:
	case SIM_EV_DROPPED:
	case SIM_EV_RESUMED:
	case SIM_EV_CODE_CHANGE:
	case SIM_EV_STOPPED:
		if (e->module >= 0)
			sb_addf(sb, " for %s", sim_module_name(s, e->module));
		if (e->kind == SIM_EV_DROPPED)
			sb_adds(sb, " (does not answer suspend: keeps running)");
		break;
	case SIM_EV_SUP_DOWN:
		sb_addf(sb, ": %s", sim_reason_name(e->reason));
		break;
	case SIM_EV_STEP_RACE:
		sb_addf(sb, ": its thread may already run the new %s at this load's soft "
			"purge (C timing: the alternative has it there)", sim_module_name(s, e->module));
		break;
	default:
		break;
	}
	sb_addc(sb, '\n');
}

static void text_one(struct sim *s, struct strbuf *sb)
{
	const struct sim_outcome *o = sim_outcome(s);
	size_t ev = 0;
	for (size_t u = 0; u < o->nresults; u++) {
		const struct sim_result *r = &o->results[u];
		sb_addf(sb, "upgrade %zu: %s\n", u + 1, r->script && r->script->file ? r->script->file : "-");
		for (; ev < o->nevents && o->events[ev].script == u; ev++)
			text_event(s, sb, &o->events[ev]);
		sb_addf(sb, "  returned: %s\n", r->reason ? r->reason : sim_result_name(r->kind));
		if (r->kind == SIM_RES_EXIT)
			sb_adds(sb, "  failed after point_of_no_return: the node restarts from the old release\n");
		if (r->kind == SIM_RES_ERROR)
			sb_adds(sb, "  refused: nothing was loaded\n");
	}
	size_t nsp;
	struct suspension *sp = suspensions(s, &nsp);
	if (nsp)
		sb_adds(sb, "suspensions:\n");
	for (size_t i = 0; i < nsp; i++) {
		sb_addf(sb, "  upgrade %u: %s", sp[i].script + 1, proc_pid(s, sp[i].proc));
		if (strcmp(proc_name(s, sp[i].proc), proc_pid(s, sp[i].proc)))
			sb_addf(sb, " (%s)", proc_name(s, sp[i].proc));
		sb_addf(sb, " suspended for %s from #%u", sim_module_name(s, sp[i].module), sp[i].from + 1);
		if (sp[i].end == SUSP_OPEN)
			sb_adds(sb, ", still suspended\n");
		else
			sb_addf(sb, " to #%u (%s)\n", sp[i].to + 1, susp_end_name(sp[i].end));
	}
	free(sp);
	size_t nm;
	int32_t *idx = sorted_modules(s, &nm);
	sb_adds(sb, "modules:\n");
	for (size_t i = 0; i < nm; i++) {
		int32_t cur, old;
		sim_module_versions(s, idx[i], &cur, &old);
		sb_addf(sb, "  %s: current ", sim_module_name(s, idx[i]));
		put_version_text(s, sb, cur);
		sb_adds(sb, ", old ");
		put_version_text(s, sb, old);
		sb_addc(sb, '\n');
	}
	free(idx);
	sb_adds(sb, "unpurged: [");
	for (size_t i = 0; i < o->nstored; i++)
		sb_addf(sb, "%s{%s,%s}", i ? "," : "", sim_module_name(s, o->stored[i].module),
			purge_method_name(o->stored[i].method));
	sb_addf(sb, "]\nkilled: %zu%s%s", o->killed, o->node_down ? "; the node stops" : "",
		o->race ? "; restarts raced with a load" : "");
	if (o->step_races)
		sb_addf(sb, "; %zu thread step%s raced with a load", o->step_races,
			o->step_races == 1 ? "" : "s");
	sb_addc(sb, '\n');
	if (o->order_race)
		sb_adds(sb, "which of the children killed together was restarted first is a race\n");
}

void sim_write_text(struct sim_report *r, struct strbuf *out)
{
	text_one(r->primary, out);
	if (r->alternative) {
		sb_adds(out, "\nalternative (the racing restarts start in the new version, the "
			"racing threads step before the load):\n");
		text_one(r->alternative, out);
	}
}

/* ---- JSON ------------------------------------------------------------------- */

static void json_unpurged(struct jsonw *w, const struct sim *s,
			  const struct sim_unpurged *u, size_t n)
{
	jsonw_array(w, JSONW_INLINE);
	for (size_t i = 0; i < n; i++) {
		jsonw_object(w, JSONW_INLINE);
		jsonw_key(w, "module"); jsonw_string(w, sim_module_name(s, u[i].module));
		jsonw_key(w, "method"); jsonw_string(w, purge_method_name(u[i].method));
		jsonw_end(w);
	}
	jsonw_end(w);
}

static void json_result(struct jsonw *w, const struct sim *s, const struct sim_result *r)
{
	jsonw_object(w, JSONW_INLINE);
	jsonw_key(w, "script"); jsonw_string(w, r->script ? r->script->file : NULL);
	jsonw_key(w, "result"); jsonw_string(w, sim_result_name(r->kind));
	jsonw_key(w, "returned"); jsonw_string(w, r->reason);
	jsonw_key(w, "old_processes");
	jsonw_string(w, r->old_processes >= 0 ? sim_module_name(s, r->old_processes) : NULL);
	jsonw_key(w, "unpurged"); json_unpurged(w, s, r->unpurged, r->nunpurged);
	jsonw_key(w, "node_restart"); jsonw_bool(w, r->node_restart);
	jsonw_end(w);
}

static void json_event(struct jsonw *w, const struct sim *s, const struct sim_event *e)
{
	jsonw_object(w, JSONW_INLINE);
	jsonw_key(w, "upgrade"); jsonw_uint(w, e->script);
	jsonw_key(w, "instr"); jsonw_uint(w, e->instr);
	jsonw_key(w, "op"); jsonw_string(w, e->permanent ? "make_permanent" : instr_name(e->via));
	jsonw_key(w, "step"); jsonw_bool(w, e->in_step);
	jsonw_key(w, "event"); jsonw_string(w, sim_event_name(e->kind));
	jsonw_key(w, "reason"); jsonw_string(w, sim_reason_name(e->reason));
	if (e->proc >= 0) {
		jsonw_key(w, "pid"); jsonw_string(w, proc_pid(s, e->proc));
		jsonw_key(w, "name"); jsonw_string(w, proc_name(s, e->proc));
	}
	if (e->sup >= 0) {
		jsonw_key(w, "supervisor");
		jsonw_string(w, sup_name(s, e->sup));
	}
	if (e->module >= 0) {
		jsonw_key(w, "module");
		jsonw_string(w, sim_module_name(s, e->module));
	}
	if (e->kind == SIM_EV_RESTARTED || e->kind == SIM_EV_STARTED) {
		jsonw_key(w, "version"); put_version_json(s, w, e->version);
		jsonw_key(w, "alt_version"); put_version_json(s, w, e->alt_version);
		jsonw_key(w, "order_race"); jsonw_bool(w, e->order_race);
	}
	jsonw_end(w);
}

static void json_suspensions(struct jsonw *w, struct sim *s)
{
	size_t nsp;
	struct suspension *sp = suspensions(s, &nsp);
	jsonw_array(w, JSONW_LINES);
	for (size_t i = 0; i < nsp; i++) {
		jsonw_object(w, JSONW_INLINE);
		jsonw_key(w, "upgrade"); jsonw_uint(w, sp[i].script);
		jsonw_key(w, "pid"); jsonw_string(w, proc_pid(s, sp[i].proc));
		jsonw_key(w, "name"); jsonw_string(w, proc_name(s, sp[i].proc));
		jsonw_key(w, "module"); jsonw_string(w, sim_module_name(s, sp[i].module));
		jsonw_key(w, "from"); jsonw_uint(w, sp[i].from);
		jsonw_key(w, "to");
		if (sp[i].end == SUSP_OPEN)
			jsonw_null(w);
		else
			jsonw_uint(w, sp[i].to);
		jsonw_key(w, "ended"); jsonw_string(w, susp_end_name(sp[i].end));
		jsonw_end(w);
	}
	jsonw_end(w);
	free(sp);
}

static void json_modules(struct jsonw *w, const struct sim *s)
{
	size_t nm;
	int32_t *idx = sorted_modules(s, &nm);
	jsonw_array(w, JSONW_LINES);
	for (size_t i = 0; i < nm; i++) {
		int32_t cur, old;
		sim_module_versions(s, idx[i], &cur, &old);
		jsonw_object(w, JSONW_INLINE);
		jsonw_key(w, "name"); jsonw_string(w, sim_module_name(s, idx[i]));
		jsonw_key(w, "current"); put_version_json(s, w, cur);
		jsonw_key(w, "old"); put_version_json(s, w, old);
		jsonw_end(w);
	}
	jsonw_end(w);
	free(idx);
}

/* The members of one prediction, into the open object. */
static void json_one(struct sim *s, struct jsonw *w)
{
	const struct sim_outcome *o = sim_outcome(s);
	jsonw_key(w, "killed"); jsonw_uint(w, o->killed);
	jsonw_key(w, "race"); jsonw_bool(w, o->race);
	jsonw_key(w, "order_race"); jsonw_bool(w, o->order_race);
	jsonw_key(w, "step_races"); jsonw_uint(w, o->step_races);
	jsonw_key(w, "node_down"); jsonw_bool(w, o->node_down);
	jsonw_key(w, "upgrades");
	jsonw_array(w, JSONW_LINES);
	for (size_t u = 0; u < o->nresults; u++)
		json_result(w, s, &o->results[u]);
	jsonw_end(w);
	jsonw_key(w, "events");
	jsonw_array(w, JSONW_LINES);
	for (size_t i = 0; i < o->nevents; i++)
		json_event(w, s, &o->events[i]);
	jsonw_end(w);
	jsonw_key(w, "suspensions"); json_suspensions(w, s);
	jsonw_key(w, "modules"); json_modules(w, s);
	jsonw_key(w, "unpurged"); json_unpurged(w, s, o->stored, o->nstored);
}

void sim_write_json(struct sim_report *r, struct strbuf *out)
{
	struct jsonw w;
	jsonw_init(&w, out, 0);
	jsonw_object(&w, JSONW_LINES);
	jsonw_key(&w, "format"); jsonw_string(&w, "hotplan-outcome");
	jsonw_key(&w, "version"); jsonw_int(&w, 1);
	json_one(r->primary, &w);
	jsonw_key(&w, "alternative");
	if (r->alternative) {
		jsonw_object(&w, JSONW_LINES);
		json_one(r->alternative, &w);
		jsonw_end(&w);
	} else {
		jsonw_null(&w);
	}
	jsonw_end(&w);
	sb_addc(out, '\n');
}
