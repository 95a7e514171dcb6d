/* html_report.c - `tasklint report --html DIR`: loads the report's data
 * (html_data.c) and writes the site: index.html, table-N.html, data.js,
 * app.js, style.css and f/ID.html.  Pages of an earlier, larger report that
 * this one does not have (f/ID.html, table-N.html past the end) are removed, so the
 * directory never mixes two reports. */
#include "report/html/html_internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/xalloc.h"

/* "123.html" (prefix "") or "table-7.html": its number, else 0. */
static size_t numbered(const char *name, const char *prefix) {
    size_t pl = strlen(prefix);
    if (strncmp(name, prefix, pl) != 0) return 0;
    const char *p = name + pl;
    size_t v = 0;
    if (*p < '0' || *p > '9') return 0;
    while (*p >= '0' && *p <= '9') v = v * 10 + (size_t)(*p++ - '0');
    return strcmp(p, ".html") == 0 ? v : 0;
}

static void remove_stale(const char *dir, const char *prefix, size_t keep) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t k = numbered(e->d_name, prefix);
        if (k > keep) unlinkat(fd, e->d_name, 0);
    }
    closedir(d);
}

int tl_html_report(tl_store *s, const tl_html_options *o, tl_html_summary *sum, char *err,
                   size_t errsz) {
    memset(sum, 0, sizeof *sum);
    hr_report r;
    if (hr_load(&r, s, o, err, errsz)) {
        hr_free(&r);
        return -1;
    }
    hr_out out;
    int rc = -1;
    hr_buf b = {0};
    hr_sources *src = NULL;
    if (hr_out_open(&out, o->dir)) goto fail;
    hr_overview_page(&b, &r);
    if (hr_out_write(&out, "index.html", &b)) goto fail;
    size_t pages = hr_table_pages(&r);
    for (size_t p = 2; p <= pages; p++) {
        b.len = 0;
        hr_table_page(&b, &r, p);
        char name[48];
        snprintf(name, sizeof name, "table-%zu.html", p);
        if (hr_out_write(&out, name, &b)) goto fail;
    }
    b.len = 0;
    hr_data_js(&b, &r);
    if (hr_out_write(&out, "data.js", &b)) goto fail;
    b.len = 0;
    hr_puts(&b, hr_app_js);
    if (hr_out_write(&out, "app.js", &b)) goto fail;
    b.len = 0;
    hr_puts(&b, hr_css);
    if (hr_out_write(&out, "style.css", &b)) goto fail;
    src = hr_sources_new();
    for (size_t i = 0; i < r.nitems; i++) {
        b.len = 0;
        hr_finding_page(&b, &r, &r.items[i], src);
        char name[48];
        snprintf(name, sizeof name, "f/%zu.html", r.items[i].id);
        if (hr_out_write(&out, name, &b)) goto fail;
    }
    remove_stale(out.dir, "table-", pages);
    {
        char *fdir = tl_xasprintf("%s/f", out.dir);
        remove_stale(fdir, "", r.nitems);
        free(fdir);
    }
    if (hr_out_sync(&out)) goto fail;
    sum->findings = r.nitems;
    sum->pages = pages + 3 + r.nitems;
    sum->run = r.run->id;
    sum->base_run = r.base_run;
    rc = 0;
    goto done;
fail:
    snprintf(err, errsz, "%s", out.err);
done:
    hr_sources_free(src);
    hr_buf_free(&b);
    hr_out_close(&out);
    hr_free(&r);
    return rc;
}
