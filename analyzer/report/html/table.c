/* table.c - the findings table: static pages of HR_PAGE_ROWS rows that work
 * without JavaScript (links between the pages), data.js with every finding
 * as a JavaScript array, and app.js, which sorts, filters and pages over
 * that array (rendering only one page of rows at a time, so 10,000 findings
 * load as fast as 500).  Rows are built with textContent: nothing from the
 * data is ever parsed as HTML. */
#include "report/html/html_internal.h"

#include <string.h>

#include "store/store.h"

size_t hr_table_pages(const hr_report *r) {
    return r->nitems ? (r->nitems + HR_PAGE_ROWS - 1) / HR_PAGE_ROWS : 1;
}

static void page_name(hr_buf *b, size_t page) {
    if (page == 1) hr_puts(b, "index.html");
    else hr_printf(b, "table-%zu.html", page);
}

static void static_pager(hr_buf *b, const hr_report *r, size_t page) {
    size_t pages = hr_table_pages(r);
    if (pages <= 1) return;
    hr_puts(b, "<nav class=\"pager static-pager\">Pages: ");
    for (size_t p = 1; p <= pages; p++) {
        if (p == page) {
            hr_printf(b, "<b>%zu</b> ", p);
            continue;
        }
        hr_puts(b, "<a href=\"");
        page_name(b, p);
        hr_printf(b, "#findings\">%zu</a> ", p);
    }
    hr_puts(b, "</nav>\n");
}

static void location(hr_buf *b, const hr_item *it) {
    hr_text(b, it->rel);
    if (it->f->line) hr_printf(b, ":%u:%u", it->f->line, it->f->col);
}

static void triage_text(hr_buf *b, const tl_finding *f) {
    if (f->triage <= 0) return;
    hr_text(b, tl_triage_name((tl_triage_state)f->triage));
    if (f->triage_reason && *f->triage_reason) {
        hr_puts(b, ": ");
        hr_text(b, f->triage_reason);
    }
}

void hr_table_section(hr_buf *b, const hr_report *r, size_t page) {
    hr_printf(b, "<h2 id=\"table\">Findings (%zu)</h2>\n", r->nitems);
    /* controls: shown by app.js (class js on <html>) */
    hr_puts(b, "<div class=\"controls\"><input id=\"q\" type=\"search\" placeholder=\"filter: "
               "rule, path, function, message\" size=\"40\" aria-label=\"filter\">"
               "<select id=\"fstate\" aria-label=\"state\"><option value=\"\">any state</option>");
    for (int s = 0; s < HR__NSTATES; s++)
        hr_printf(b, "<option value=\"%s\">%s</option>", hr_state_names[s], hr_state_names[s]);
    hr_puts(b, "<option value=\"triaged\">triaged</option></select>"
               "<select id=\"frule\" aria-label=\"rule\"><option value=\"\">any rule</option>");
    /* the rules of the table, in order of first appearance is enough: app.js
       fills in the rest; the static list names those of the trend's last run */
    if (r->ntrend)
        for (size_t k = 0; k < r->trend[r->ntrend - 1].nrules; k++) {
            hr_puts(b, "<option value=\"");
            hr_text(b, r->trend[r->ntrend - 1].rules[k]);
            hr_puts(b, "\">");
            hr_text(b, r->trend[r->ntrend - 1].rules[k]);
            hr_puts(b, "</option>");
        }
    hr_puts(b, "</select><span id=\"shown\" class=\"meta\"></span></div>\n");
    static_pager(b, r, page);
    hr_printf(b, "<table id=\"findings\" data-page=\"%zu\" data-rows=\"%d\" data-total=\"%zu\">\n"
                 "<thead><tr>"
                 "<th class=\"n\"><button data-key=\"0\">#</button></th>"
                 "<th><button data-key=\"1\">State</button></th>"
                 "<th><button data-key=\"2\">Rule</button></th>"
                 "<th><button data-key=\"4\">Location</button></th>"
                 "<th><button data-key=\"7\">Function</button></th>"
                 "<th><button data-key=\"8\">Message</button></th>"
                 "<th><button data-key=\"9\">Triage</button></th>"
                 "</tr></thead>\n<tbody>\n",
              page, HR_PAGE_ROWS, r->nitems);
    size_t from = (page - 1) * HR_PAGE_ROWS, to = from + HR_PAGE_ROWS;
    if (to > r->nitems) to = r->nitems;
    for (size_t i = from; i < to; i++) {
        const hr_item *it = &r->items[i];
        const tl_finding *f = it->f;
        hr_printf(b, "<tr><td class=\"n\">%zu</td><td class=\"s-%s\">%s</td><td>", it->id,
                  hr_state_names[it->state], hr_state_names[it->state]);
        hr_text(b, f->rule);
        hr_printf(b, "</td><td><a href=\"f/%zu.html\">", it->id);
        location(b, it);
        hr_puts(b, "</a></td><td>");
        hr_text(b, f->function);
        hr_puts(b, "</td><td>");
        hr_text(b, f->message);
        hr_puts(b, "</td><td>");
        triage_text(b, f);
        hr_puts(b, "</td></tr>\n");
    }
    hr_puts(b, "</tbody>\n</table>\n");
    hr_puts(b, "<nav class=\"pager\" id=\"jspager\"></nav>\n");
    static_pager(b, r, page);
}

/* [id, state, rule, severity, path, line, col, function, message, triage] */
void hr_data_js(hr_buf *b, const hr_report *r) {
    hr_puts(b, "/* tasklint report data: one array per finding */\nvar TL_DATA = [\n");
    for (size_t i = 0; i < r->nitems; i++) {
        const hr_item *it = &r->items[i];
        const tl_finding *f = it->f;
        hr_printf(b, "[%zu,\"%s\",", it->id, hr_state_names[it->state]);
        hr_js_string(b, f->rule ? f->rule : "");
        hr_printf(b, ",\"%s\",", tl_severity_name(f->severity));
        hr_js_string(b, it->rel);
        hr_printf(b, ",%u,%u,", f->line, f->col);
        hr_js_string(b, f->function ? f->function : "");
        hr_putn(b, ",", 1);
        hr_js_string(b, f->message ? f->message : "");
        hr_putn(b, ",", 1);
        if (f->triage > 0) {
            const char *name = tl_triage_name((tl_triage_state)f->triage);
            hr_buf raw = {0};
            hr_puts(&raw, name ? name : "");
            if (f->triage_reason && *f->triage_reason) {
                hr_puts(&raw, ": ");
                hr_puts(&raw, f->triage_reason);
            }
            hr_js_string(b, raw.buf);
            hr_buf_free(&raw);
        } else {
            hr_puts(b, "\"\"");
        }
        hr_puts(b, i + 1 < r->nitems ? "],\n" : "]\n");
    }
    hr_puts(b, "];\n");
}

/* Sorting, filtering and paging over TL_DATA; without data.js or without
   JavaScript the static rows stay.  The render time (from navigation
   start) goes to <body data-render-ms> for the tests. */
const char hr_app_js[] =
    "/* tasklint report: sort, filter and page the findings table (TL_DATA, data.js) */\n"
    "(function () {\n"
    "  'use strict';\n"
    "  var table = document.getElementById('findings');\n"
    "  if (!table || typeof TL_DATA === 'undefined') return;\n"
    "  document.documentElement.className += ' js';\n"
    "  var ROWS = +table.getAttribute('data-rows') || 500;\n"
    "  var page = (+table.getAttribute('data-page') || 1) - 1;\n"
    "  var key = 0, dir = 1, view = TL_DATA;\n"
    "  var q = document.getElementById('q'), fs = document.getElementById('fstate');\n"
    "  var fr = document.getElementById('frule'), shown = document.getElementById('shown');\n"
    "  var pager = document.getElementById('jspager'), tbody = table.tBodies[0];\n"
    "  var rules = {};\n"
    "  for (var i = 0; i < fr.options.length; i++) rules[fr.options[i].value] = 1;\n"
    "  TL_DATA.forEach(function (d) {\n"
    "    if (!rules[d[2]]) { rules[d[2]] = 1; var o = document.createElement('option');\n"
    "      o.value = d[2]; o.textContent = d[2]; fr.appendChild(o); }\n"
    "  });\n"
    "  function cell(tr, text, cls) { var td = document.createElement('td');\n"
    "    if (cls) td.className = cls; td.textContent = text; tr.appendChild(td); return td; }\n"
    "  function render() {\n"
    "    var pages = Math.max(1, Math.ceil(view.length / ROWS));\n"
    "    if (page >= pages) page = pages - 1;\n"
    "    if (page < 0) page = 0;\n"
    "    var frag = document.createDocumentFragment();\n"
    "    var end = Math.min(view.length, (page + 1) * ROWS);\n"
    "    for (var i = page * ROWS; i < end; i++) {\n"
    "      var d = view[i], tr = document.createElement('tr');\n"
    "      cell(tr, String(d[0]), 'n'); cell(tr, d[1], 's-' + d[1]); cell(tr, d[2]);\n"
    "      var td = document.createElement('td'), a = document.createElement('a');\n"
    "      a.href = 'f/' + d[0] + '.html';\n"
    "      a.textContent = d[4] + (d[5] ? ':' + d[5] + ':' + d[6] : '');\n"
    "      td.appendChild(a); tr.appendChild(td);\n"
    "      cell(tr, d[7]); cell(tr, d[8]); cell(tr, d[9]);\n"
    "      frag.appendChild(tr);\n"
    "    }\n"
    "    tbody.textContent = '';\n"
    "    tbody.appendChild(frag);\n"
    "    shown.textContent = view.length + ' of ' + TL_DATA.length + ' findings, page ' +\n"
    "      (page + 1) + ' of ' + pages;\n"
    "    pager.textContent = '';\n"
    "    [['previous', page - 1], ['next', page + 1]].forEach(function (p) {\n"
    "      var btn = document.createElement('button'); btn.textContent = p[0];\n"
    "      btn.disabled = p[1] < 0 || p[1] >= pages;\n"
    "      btn.onclick = function () { page = p[1]; render(); table.scrollIntoView(); };\n"
    "      pager.appendChild(btn);\n"
    "    });\n"
    "  }\n"
    "  function cmp(a, b) { var x = a[key], y = b[key];\n"
    "    if (typeof x === 'number') return (x - y) * dir || a[0] - b[0];\n"
    "    return (x < y ? -1 : x > y ? 1 : 0) * dir || a[0] - b[0]; }\n"
    "  function refilter() {\n"
    "    var t = q.value.toLowerCase(), st = fs.value, ru = fr.value;\n"
    "    view = TL_DATA.filter(function (d) {\n"
    "      if (st === 'triaged' ? !d[9] : st && d[1] !== st) return false;\n"
    "      if (ru && d[2] !== ru) return false;\n"
    "      if (!t) return true;\n"
    "      return (d[2] + '\\u0000' + d[4] + '\\u0000' + d[7] + '\\u0000' + d[8]).toLowerCase()\n"
    "        .indexOf(t) >= 0;\n"
    "    });\n"
    "    view.sort(cmp);\n"
    "    render();\n"
    "  }\n"
    "  q.oninput = function () { page = 0; refilter(); };\n"
    "  fs.onchange = fr.onchange = function () { page = 0; refilter(); };\n"
    "  Array.prototype.forEach.call(table.tHead.getElementsByTagName('button'), function (b) {\n"
    "    b.onclick = function () { var k = +b.getAttribute('data-key');\n"
    "      dir = k === key ? -dir : 1; key = k; refilter(); };\n"
    "  });\n"
    "  function fromHash() {\n"
    "    var m = /[#&]state=([a-z-]+)/.exec(location.hash);\n"
    "    if (m) { fs.value = m[1]; fr.value = ''; page = 0; }\n"
    "    m = /[#&]rule=([a-z0-9-]+)/.exec(location.hash);\n"
    "    if (m) { fr.value = m[1]; fs.value = ''; page = 0; }\n"
    "    refilter();\n"
    "  }\n"
    "  window.addEventListener('hashchange', function () { fromHash(); table.scrollIntoView(); });\n"
    "  fromHash();\n"
    "  document.body.setAttribute('data-render-ms', String(Math.round(performance.now())));\n"
    "})();\n";
