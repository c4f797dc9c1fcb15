/* exectrace report: the pictures of a run (src/pictures.h) drawn from its JSON lines recording, through the
 * same history a live run fills. */
#ifndef REPORT_H
#define REPORT_H

/* argv[0] is "report"; its own options follow. The exit status: 0, 1 when the recording could not be read
 * whole or a picture not written, 2 for bad options. */
int report_main(int argc, char **argv);

#endif
