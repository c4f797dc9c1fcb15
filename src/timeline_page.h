/* The timeline page's template (src/timeline/timeline.html), built into the binary (the generated
 * timeline_page.c, by src/gen_timeline.py) since the binary is installed alone: the text before its data
 * marker and the text after it, so that the writer puts the data between the two (docs/timeline.md). */
#ifndef TIMELINE_PAGE_H
#define TIMELINE_PAGE_H

#include <stddef.h>

extern const char timeline_head[], timeline_tail[];
extern const size_t timeline_head_len, timeline_tail_len;

#endif
