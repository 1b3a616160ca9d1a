/*
 * ork limits shared by the host, its plugins and the task SDKs: one named
 * constant per limit, so that every component that parses, stores or renders
 * a value agrees on it. Pure C, included by whoever enforces or relies on a
 * limit; the table of all limits is in docs/reliability.md.
 */
#ifndef ORK_LIMITS_H
#define ORK_LIMITS_H

/* How deeply a task output (or any JSON value ork keeps) may nest: arrays and
 * objects inside one another. Outputs deeper than this fail their task where
 * they enter (executor output parsers, the scheduler, the queue), so a value
 * never changes type in a store round trip. */
#define ORK_MAX_JSON_DEPTH 512

#endif /* ORK_LIMITS_H */
