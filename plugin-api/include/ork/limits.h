/* Every size and depth limit of ork, in one place. The host and the plugins
 * both enforce some of them (a JSON document nested too deep must be refused
 * the same way by the executor that reads a task's output, the store that
 * keeps it and the host that hands it on), and `plugin-api/` is the only code
 * they may share, so the limits live here as plain C11 constants. Each one
 * says why it has its value; docs/reliability.md ("Limits") says what
 * happens past each one and where it is enforced. Included by the host, the
 * plugins and their tests; changing a value changes ork's documented
 * behaviour, so change the table too. */
#ifndef ORK_LIMITS_H
#define ORK_LIMITS_H

/* ---- workflow files -------------------------------------------------------- */

/* YAML nodes one workflow file may expand to when the compiler converts its
 * values (constants, defaults, task settings, types), counting a node once
 * per use of an alias that reaches it. yaml-cpp shares aliased nodes, so a
 * 616-byte "alias bomb" (9 levels, each repeating the previous one 10 times)
 * stands for a billion nodes; the budget refuses it before conversion eats
 * the memory. The host adds one node per byte of the file: a node written
 * out takes at least a byte, so a file without aliases never reaches the
 * budget (100 000 tasks are several hundred thousand nodes), and what
 * aliases may add is 100,000, which converts in a few tens of milliseconds,
 * so even a file right at the budget is refused or accepted at once (a
 * budget of a million took over a second, and ten under the fuzzer). */
#define ORK_MAX_YAML_NODES 100000

/* How deeply one YAML value the compiler converts may nest (lists and
 * mappings inside each other). Conversion recurses once per level, so this
 * bounds the stack; it also stops an alias that contains itself. It must
 * not exceed ORK_MAX_TYPE_DEPTH: the type of a constant is as deep as the
 * constant. */
#define ORK_MAX_YAML_DEPTH 64

/* How deeply a type may nest: brackets, braces and parentheses in a type
 * string, nested object types in JSON types, and named types referring to
 * named types each count one level. Type parsing, printing and checking
 * recurse once per level; real signatures stay under ten levels. */
#define ORK_MAX_TYPE_DEPTH 64

/* How many parts (lists, dicts, tuples, objects, unions, primitives) one
 * type may have when written out with its named
 * types expanded. Named types share their definitions, so a few short ones
 * can stand for a tree of exponential size that could never be printed or
 * checked; real signatures have at most a few hundred parts. */
#define ORK_MAX_TYPE_NODES 10000

/* ---- task outputs and JSON -------------------------------------------------- */

/* How deeply a JSON document (a task output, an input) may nest. The same
 * value for every reader, so that a value accepted when it enters is never
 * refused or altered when it is read back from the store. Deeper than any
 * real data structure, shallow enough that every recursive JSON walk in
 * ork fits on a thread's stack. */
#define ORK_MAX_JSON_DEPTH 512

/* The largest task result a process task may print on one ORK_OUTPUT: line;
 * a larger one fails the task instead of exhausting memory (large results
 * belong in files, passed on by path). */
#define ORK_MAX_OUTPUT_BYTES (256u * 1024u * 1024u)

/* ---- logs ------------------------------------------------------------------ */

/* The longest log line recorded; a longer one is truncated to this many
 * bytes. Lines are stored one row each and shown in terminals and the UI:
 * 64 KiB keeps any honest line and stops one endless line without
 * newlines from becoming a single huge row. */
#define ORK_MAX_LOG_LINE_BYTES (64u * 1024u)

/* The default log text one attempt may record (ORK_LOG_LIMIT_BYTES in the
 * environment overrides it); the rest is counted and dropped, so a task
 * flooding stdout cannot fill the disk. */
#define ORK_DEFAULT_ATTEMPT_LOG_BYTES (64ull * 1024u * 1024u)

/* ---- ork serve --------------------------------------------------------------- */

/* The largest HTTP request body `ork serve` reads (a run's inputs, a cancel);
 * a larger request is answered 413 without being read into memory. */
#define ORK_MAX_REQUEST_BODY_BYTES (1024u * 1024u)

#endif /* ORK_LIMITS_H */
