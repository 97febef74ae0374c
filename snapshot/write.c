/*
 * write.c - a snapshot as hotplan-runtime JSON and as text for people.
 *
 * The JSON is the runtime's canonical form (runtime_write_json) with two
 * more members right after "version": "paused_ms", the longest pause of one
 * target, and "snapshot": the targets with their pauses and thread counts,
 * and every thread left out of the processes with the reason. Readers of
 * hotplan-runtime ignore both.
 */
#include "snapshot_int.h"

#include <string.h>

#include "json.h"

static void put_extra(const struct snapshot *s, struct strbuf *sb)
{
	sb_addf(sb, "  \"paused_ms\": %.3f,\n  \"snapshot\": {\"targets\": [", s->paused_ms);
	for (size_t i = 0; i < s->npauses; i++)
		sb_addf(sb, "%s{\"pid\": %ld, \"threads\": %zu, \"paused_ms\": %.3f}", i ? ", " : "",
			s->pauses[i].pid, s->pauses[i].nthreads, s->pauses[i].paused_ms);
	sb_adds(sb, "], \"left_out\": [");
	int first = 1;
	for (size_t i = 0; i < s->nthreads; i++) {
		const struct snapshot_thread *th = &s->threads[i];
		if (!th->left_out)
			continue;
		sb_addf(sb, "%s\n    {\"thread\": \"%ld.%ld\", \"comm\": ", first ? "" : ",", th->pid, th->tid);
		json_put_string(sb, th->comm);
		sb_adds(sb, ", \"why\": ");
		json_put_string(sb, th->left_out);
		sb_addc(sb, '}');
		first = 0;
	}
	sb_adds(sb, first ? "]},\n" : "\n  ]},\n");
}

void snapshot_write_json(const struct snapshot *s, struct strbuf *out)
{
	struct strbuf rt = STRBUF_INIT;
	runtime_write_json(s->rt, &rt);
	/* after the line holding "version", else right after the opening brace */
	const char *at = strstr(rt.buf, "\"version\"");
	const char *nl = at ? strchr(at, '\n') : NULL;
	size_t cut = nl ? (size_t)(nl + 1 - rt.buf) : (rt.len && rt.buf[0] == '{' ? 2 : 0);
	if (cut > rt.len)
		cut = rt.len;
	sb_add(out, rt.buf, cut);
	put_extra(s, out);
	sb_add(out, rt.buf + cut, rt.len - cut);
	sb_release(&rt);
}

void snapshot_write_text(const struct snapshot *s, struct strbuf *out)
{
	const struct runtime *rt = s->rt;
	for (size_t i = 0; i < s->npauses; i++)
		sb_addf(out, "process %ld: %zu threads, paused %.3f ms\n", s->pauses[i].pid,
			s->pauses[i].nthreads, s->pauses[i].paused_ms);
	sb_addf(out, "snapshot: %zu processes of the runtime, %.3f ms in all\n",
		rt->processes.n, s->total_ms);
	for (size_t i = 0; i < s->nthreads; i++) {
		const struct snapshot_thread *th = &s->threads[i];
		sb_addf(out, "\nthread %ld.%ld [%s]", th->pid, th->tid, th->comm);
		if (th->process >= 0) {
			const struct rt_process *p = &rt->processes.items[th->process];
			sb_addf(out, ": process %s, next_call %s", p->name, next_call_name((enum next_call)p->next));
			if (th->blocked_in)
				sb_addf(out, " (in '%s')", th->blocked_in);
			sb_adds(out, ", frames");
			for (uint32_t k = 0; k < p->nframes; k++)
				sb_addf(out, " %s", rt->modules.items[rt->frames.items[p->frames + k].module].name);
			sb_addc(out, '\n');
		} else {
			sb_addf(out, ": left out: %s\n", th->left_out);
		}
		for (size_t k = 0; k < th->nframes; k++) {
			const struct snapshot_frame *f = &th->frames[k];
			const char *obj = f->object ? strrchr(f->object, '/') : NULL;
			sb_addf(out, "  #%-3zu 0x%012llx %s", k, (unsigned long long)f->pc,
				f->function ? f->function : "??");
			if (f->module)
				sb_addf(out, "  [%s]", f->module);
			if (f->module && f->vsn)
				sb_addf(out, " (%s: version %s)", obj ? obj + 1 : f->object, f->vsn);
			else if (!f->module && f->object)
				sb_addf(out, "  (%s)", obj ? obj + 1 : f->object);
			sb_addc(out, '\n');
		}
	}
}
