/*
 * parse_floor.c - the benchmark floor of DESIGN.md §8: parse every unit of
 * a compilation database with libclang in one process, one after the other,
 * and do nothing else (no AST walk). 'hotplan analyze -j1' is measured
 * against this.
 *
 * usage: parse_floor DIR   (DIR holds compile_commands.json)
 *
 * Each unit gets the arguments hotplan gives libclang: the command without
 * the compiler, plus -w. Exit status: 0, or 1 if a unit did not parse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clang-c/CXCompilationDatabase.h>
#include <clang-c/Index.h>

static int parse_all(const char *dir)
{
	CXCompilationDatabase_Error ec;
	CXCompilationDatabase db = clang_CompilationDatabase_fromDirectory(dir, &ec);
	CXCompileCommands cmds = NULL;
	CXIndex index = NULL;
	int failed = 0;
	if (ec != CXCompilationDatabase_NoError) {
		fprintf(stderr, "parse_floor: cannot load '%s/compile_commands.json'\n", dir);
		failed = 1;
		goto out;
	}
	cmds = clang_CompilationDatabase_getAllCompileCommands(db);
	index = clang_createIndex(0, 0);
	unsigned n = clang_CompileCommands_getSize(cmds);
	for (unsigned i = 0; i < n; i++) {
		CXCompileCommand cmd = clang_CompileCommands_getCommand(cmds, i);
		unsigned na = clang_CompileCommand_getNumArgs(cmd);
		CXString *held = calloc(na + 2, sizeof(*held));
		const char **args = calloc(na + 4, sizeof(*args));
		int nargs = 0;
		CXString wd = clang_CompileCommand_getDirectory(cmd);
		args[nargs++] = "-working-directory";
		args[nargs++] = clang_getCString(wd);
		for (unsigned k = 1; k < na; k++) {
			held[k] = clang_CompileCommand_getArg(cmd, k);
			args[nargs++] = clang_getCString(held[k]);
		}
		args[nargs++] = "-w";
		CXTranslationUnit tu = NULL;
		if (clang_parseTranslationUnit2(index, NULL, args, nargs, NULL, 0, 0, &tu) != CXError_Success)
			failed = 1;
		if (tu)
			clang_disposeTranslationUnit(tu);
		for (unsigned k = 1; k < na; k++)
			clang_disposeString(held[k]);
		clang_disposeString(wd);
		free(held);
		free(args);
	}
out:
	if (index)
		clang_disposeIndex(index);
	if (cmds)
		clang_CompileCommands_dispose(cmds);
	if (db)
		clang_CompilationDatabase_dispose(db);
	return failed;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: parse_floor DIR\n");
		return 2;
	}
	return parse_all(argv[1]);
}
