/* placeholder */
#include "report_int.h"
int
report_write_html(FILE *f, const json_t *report)
{
	(void)report;
	return fputs("<!doctype html>\n", f) < 0 ? -1 : 0;
}
