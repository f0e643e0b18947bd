/*
 * store_schema.h — numbered schema migrations, applied by store_open().
 */
#ifndef LOKET_STORE_SCHEMA_H
#define LOKET_STORE_SCHEMA_H

#include <stddef.h>

size_t		 store_schema_migration_count(void);
/* SQL of migration i+1 (bringing user_version from i to i+1), or NULL. */
const char	*store_schema_migration(size_t i);

#endif
