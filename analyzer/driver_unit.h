/* driver_unit.h - the inside of a phase-1 unit (driver.h), shared by the
 * driver and the unit's wire encoding (unit_wire.c).  Nothing else should
 * include it. */
#ifndef TL_DRIVER_UNIT_H
#define TL_DRIVER_UNIT_H

#include "driver.h"
#include "ir/ir.h"
#include "report/suppress.h"
#include "summary/summary.h"

#define TL_UNIT_MAX_RULES ((int)sizeof(((tl_options *)0)->rule_state))

/* Phase 1 of a TU kept for phase 2: its IR, settings and suppressions. */
struct tl_tu_unit {
    char *path;
    char *dir;
    char *config_path;           /* the project config it used, or NULL */
    const tl_model_set *models;  /* base, or the config's (driver cache) */
    tl_profile profile;
    bool enabled[TL_UNIT_MAX_RULES];
    tl_tu ir;
    tl_tu_summary summary;
    tl_suppress_set *sups;       /* the main file first, then headers with functions */
    size_t nsups;
};

/* The model set for a project config (cached per process, per base), or
 * NULL with *err set (malloc'd). */
const tl_model_set *tl_driver_config_models(const tl_model_set *base, const char *path, char **err);

#endif
