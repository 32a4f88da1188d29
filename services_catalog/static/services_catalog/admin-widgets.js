/* The catalogue entry's admin widgets (services_catalog/widgets.py), in plain JavaScript:
   no build, no CDN. Each one enhances a field that works without it:
   - [data-jalon-communes]: communes chosen by name, stored as INSEE codes (a combobox
     with a listbox, WAI-ARIA 1.2 pattern, and removable chips);
   - [data-jalon-hours]: a week editor that writes the OpenStreetMap opening_hours string
     of the text field, and reads it back when it is simple enough;
   - [data-jalon-tabs]: the translations, one tab per language.
   Every word shown comes from the page (data-texts, translated by Django). */
(function () {
  "use strict";

  function wordsOf(element) {
    try {
      return JSON.parse(element.dataset.texts || "{}");
    } catch (error) {
      return {};
    }
  }

  function fill(template, values) {
    return String(template).replace(/%\((\w+)\)s/g, function (whole, key) {
      return key in values ? values[key] : whole;
    });
  }

  function make(tag, attributes, text) {
    const element = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      const value = attributes[name];
      if (value === false || value === null || value === undefined) {
        return;
      }
      if (name === "className") {
        element.className = value;
      } else {
        element.setAttribute(name, value === true ? "" : value);
      }
    });
    if (text !== undefined) {
      element.textContent = text;
    }
    return element;
  }

  function announce(region, message) {
    // Emptied first: the same sentence twice is read twice.
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = message;
    }, 50);
  }

  /* --- Communes ------------------------------------------------------------------ */

  function initCommunes(root) {
    const words = wordsOf(root);
    const field = root.querySelector("input");
    if (!field || !root.dataset.url) {
      return;
    }
    const multiple = root.dataset.multiple === "true";
    let chosen;
    try {
      chosen = JSON.parse(root.dataset.chosen || "[]");
    } catch (error) {
      chosen = [];
    }
    let options = [];
    let active = -1;
    let request = 0;
    let timer = null;

    const searchId = field.id + "_search";
    const listId = field.id + "_listbox";
    const hintId = field.id + "_hint";
    const label = document.querySelector('label[for="' + field.id + '"]');

    const chips = make("ul", { className: "jalon-chips", "aria-label": words.chosen });
    const empty = make("p", { className: "jalon-chips-empty" }, words.none_chosen);
    const box = make("div", { className: "jalon-combobox" });
    const search = make("input", {
      type: "text",
      id: searchId,
      className: "vTextField",
      role: "combobox",
      "aria-autocomplete": "list",
      "aria-expanded": "false",
      "aria-controls": listId,
      // The field's own help says how; the hint only speaks when the communes fail.
      "aria-describedby": [hintId, field.getAttribute("aria-describedby")].join(" ").trim(),
      autocomplete: "off",
      spellcheck: "false",
    });
    const list = make("ul", { id: listId, role: "listbox", className: "jalon-listbox" });
    list.hidden = true;
    const hint = make("p", { id: hintId, className: "help jalon-hint" });
    hint.hidden = true;
    const status = make("div", { role: "status", className: "jalon-visually-hidden" });
    box.append(search, list);

    if (label) {
      label.htmlFor = searchId; // the field's label now names the search box
      list.setAttribute("aria-label", label.textContent.replace(/\s*:\s*$/, ""));
    }
    field.type = "hidden"; // still posted: the codes
    root.append(chips, empty, box, hint, status);

    function writeCodes() {
      field.value = chosen.map(function (commune) {
        return commune.code;
      }).join(",");
    }

    function renderChips() {
      chips.textContent = "";
      chosen.forEach(function (commune, index) {
        const chip = make("li", { className: "jalon-chip" });
        const remove = make("button", {
          type: "button",
          className: "jalon-chip-remove",
          "aria-label": fill(words.remove, { commune: commune.label }),
        });
        remove.append(make("span", { "aria-hidden": "true" }, "×"));
        remove.addEventListener("click", function () {
          chosen.splice(index, 1);
          writeCodes();
          renderChips();
          announce(status, fill(words.removed, { commune: commune.label }));
          // The focus goes to the chip that took its place, else the last one, else the box.
          const buttons = chips.querySelectorAll(".jalon-chip-remove");
          (buttons[index] || buttons[buttons.length - 1] || search).focus();
        });
        chip.append(make("span", {}, commune.label), remove);
        chips.append(chip);
      });
      chips.hidden = chosen.length === 0;
      empty.hidden = chosen.length !== 0;
    }

    function close() {
      list.hidden = true;
      search.setAttribute("aria-expanded", "false");
      search.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      const items = list.querySelectorAll('[role="option"]');
      items.forEach(function (item, position) {
        item.setAttribute("aria-selected", position === index ? "true" : "false");
      });
      active = index;
      if (index >= 0 && items[index]) {
        search.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        search.removeAttribute("aria-activedescendant");
      }
    }

    function fillPlace(commune) {
      const name = root.dataset.nameField && document.getElementById(root.dataset.nameField);
      if (name) {
        name.value = commune.name;
      }
      const postcode =
        root.dataset.postcodeField && document.getElementById(root.dataset.postcodeField);
      const postcodes = commune.postcodes || [];
      if (postcode && postcodes.length && postcodes.indexOf(postcode.value) === -1) {
        postcode.value = postcodes[0];
      }
    }

    function choose(commune) {
      const known = chosen.some(function (other) {
        return other.code === commune.code;
      });
      if (!known) {
        chosen = multiple ? chosen.concat([commune]) : [commune];
      }
      if (!multiple) {
        fillPlace(commune);
      }
      writeCodes();
      renderChips();
      search.value = "";
      close();
      announce(status, fill(words.added, { commune: commune.label }));
      search.focus();
    }

    function show(results) {
      const codes = chosen.map(function (commune) {
        return commune.code;
      });
      options = results.filter(function (commune) {
        return codes.indexOf(commune.code) === -1;
      });
      list.textContent = "";
      options.forEach(function (commune, index) {
        const option = make("li", {
          id: listId + "_" + index,
          role: "option",
          "aria-selected": "false",
          className: "jalon-option",
        });
        option.append(make("span", {}, commune.label));
        if (commune.postcodes && commune.postcodes.length) {
          option.append(
            make("span", { className: "jalon-option-detail" }, commune.postcodes.join(", "))
          );
        }
        // Chosen on mousedown: a click would first move the focus out (and close).
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(commune);
        });
        list.append(option);
      });
      if (options.length) {
        list.hidden = false;
        search.setAttribute("aria-expanded", "true");
        highlight(-1);
        announce(
          status,
          options.length === 1 ? words.one_result : fill(words.results, { count: options.length })
        );
      } else {
        close();
        announce(status, words.no_result);
      }
    }

    function lookUp() {
      const query = search.value.trim();
      request += 1;
      const mine = request;
      if (!query) {
        close();
        return;
      }
      const url = root.dataset.url + "?q=" + encodeURIComponent(query);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (body) {
          if (mine === request) {
            show(body.results || []);
          }
        })
        .catch(function () {
          if (mine === request) {
            close();
            announce(status, words.failed);
            hint.textContent = words.failed;
            hint.hidden = false;
            field.type = "text"; // the codes, typed by hand
          }
        });
    }

    search.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookUp, 200);
    });
    search.addEventListener("keydown", function (event) {
      const open = !list.hidden && options.length > 0;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!options.length) {
          return;
        }
        if (!open) {
          list.hidden = false;
          search.setAttribute("aria-expanded", "true");
        }
        const step = event.key === "ArrowDown" ? 1 : -1;
        highlight((active + step + options.length) % options.length);
      } else if (event.key === "Enter") {
        if (open && (active >= 0 || options.length === 1)) {
          event.preventDefault();
          choose(options[active >= 0 ? active : 0]);
        } else if (search.value.trim()) {
          event.preventDefault(); // a half-typed name does not submit the entry
        }
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          close();
        } else if (search.value) {
          event.preventDefault();
          search.value = "";
        }
      } else if (event.key === "Tab") {
        close();
      }
    });
    search.addEventListener("blur", function () {
      window.setTimeout(close, 150);
    });

    renderChips();
  }

  /* --- Opening hours ---------------------------------------------------------------- */

  const DAY_CODES = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const DAY = "(?:Mo|Tu|We|Th|Fr|Sa|Su)";
  const DAY_RULE = new RegExp("^(" + DAY + "(?:-" + DAY + ")?(?:," + DAY + "(?:-" + DAY + ")?)*)\\s+(.+)$");
  const DATE_RULE = new RegExp("^(\\d{4}) (" + MONTHS.join("|") + ") (\\d{1,2}) (?:off|closed)$");
  const RANGE = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/;

  function emptyWeek() {
    return {
      days: DAY_CODES.map(function () {
        return { open: false, ranges: [["", ""], ["", ""]] };
      }),
      holidays: false,
      dates: [],
    };
  }

  function two(number) {
    return (number < 10 ? "0" : "") + number;
  }

  function parseDays(selector) {
    const days = [];
    for (const part of selector.split(",")) {
      const ends = part.split("-");
      const first = DAY_CODES.indexOf(ends[0]);
      const last = DAY_CODES.indexOf(ends[ends.length - 1]);
      for (let day = first; ; day = (day + 1) % 7) {
        if (days.indexOf(day) === -1) {
          days.push(day);
        }
        if (day === last) {
          break;
        }
      }
    }
    return days;
  }

  function parseRanges(text) {
    const ranges = [];
    for (const part of text.split(",")) {
      const match = RANGE.exec(part.trim());
      if (!match) {
        return null;
      }
      const hours = [Number(match[1]), Number(match[3])];
      const minutes = [Number(match[2]), Number(match[4])];
      if (hours[0] > 23 || hours[1] > 23 || minutes[0] > 59 || minutes[1] > 59) {
        return null; // 24:00 and beyond are for the text field
      }
      ranges.push([
        two(hours[0]) + ":" + two(minutes[0]),
        two(hours[1]) + ":" + two(minutes[1]),
      ]);
    }
    return ranges;
  }

  /* The week of an opening_hours string, or null when the week cannot show it (anything
     but days with one or two time ranges or "off", then "PH off" and closed dates). A
     later rule replaces an earlier one for its days, as in OpenStreetMap. */
  function weekOf(text) {
    const week = emptyWeek();
    let exceptions = false;
    for (const piece of text.split(";")) {
      const rule = piece.trim().replace(/\s+/g, " ");
      if (!rule) {
        continue;
      }
      if (/^PH (?:off|closed)$/.test(rule)) {
        week.holidays = true;
        exceptions = true;
        continue;
      }
      const date = DATE_RULE.exec(rule);
      if (date) {
        const month = MONTHS.indexOf(date[2]);
        const day = Number(date[3]);
        const check = new Date(Number(date[1]), month, day);
        if (check.getMonth() !== month || check.getDate() !== day) {
          return null;
        }
        const iso = date[1] + "-" + two(month + 1) + "-" + two(day);
        if (week.dates.indexOf(iso) === -1) {
          week.dates.push(iso);
        }
        exceptions = true;
        continue;
      }
      const days = DAY_RULE.exec(rule);
      // A day's rule after an exception would override it: not a week this editor writes.
      if (!days || exceptions) {
        return null;
      }
      const selected = parseDays(days[1]);
      if (/^(?:off|closed)$/.test(days[2])) {
        selected.forEach(function (day) {
          week.days[day] = { open: false, ranges: [["", ""], ["", ""]] };
        });
        continue;
      }
      const ranges = parseRanges(days[2]);
      if (!ranges || ranges.length > 2) {
        return null;
      }
      while (ranges.length < 2) {
        ranges.push(["", ""]);
      }
      selected.forEach(function (day) {
        week.days[day] = { open: true, ranges: ranges.map((range) => range.slice()) };
      });
    }
    week.dates.sort();
    return week;
  }

  function daySelector(days) {
    const runs = [];
    days.forEach(function (day) {
      const run = runs[runs.length - 1];
      if (run && run[run.length - 1] === day - 1) {
        run.push(day);
      } else {
        runs.push([day]);
      }
    });
    return runs
      .map(function (run) {
        if (run.length >= 3) {
          return DAY_CODES[run[0]] + "-" + DAY_CODES[run[run.length - 1]];
        }
        return run.map((day) => DAY_CODES[day]).join(",");
      })
      .join(",");
  }

  /* The opening_hours string of a week: days with the same hours together. */
  function textOf(week) {
    const groups = [];
    week.days.forEach(function (day, index) {
      if (!day.open) {
        return;
      }
      const hours = day.ranges
        .filter((range) => range[0] && range[1])
        .map((range) => range[0] + "-" + range[1])
        .join(",");
      if (!hours) {
        return;
      }
      const group = groups.find((other) => other.hours === hours);
      if (group) {
        group.days.push(index);
      } else {
        groups.push({ hours: hours, days: [index] });
      }
    });
    if (!groups.length) {
      return "";
    }
    const rules = groups.map((group) => daySelector(group.days) + " " + group.hours);
    if (week.holidays) {
      rules.push("PH off");
    }
    week.dates.forEach(function (iso) {
      const parts = iso.split("-");
      rules.push(parts[0] + " " + MONTHS[Number(parts[1]) - 1] + " " + Number(parts[2]) + " off");
    });
    return rules.join("; ");
  }

  function initHours(root) {
    const words = wordsOf(root);
    const field = root.querySelector("input");
    if (!field) {
      return;
    }
    const dayNames = String(words.days || "").split("|");
    const base = field.id || "jalon-hours";
    const language = document.documentElement.lang || "fr";
    let week = emptyWeek();

    const editor = make("div", { className: "jalon-week-editor" });
    const cannot = make("div", { className: "jalon-week-cannot", role: "status" });
    const cannotText = make("p", {}, words.cannot_show);
    const startOver = make("button", { type: "button", className: "button" }, words.start_over);
    cannot.append(cannotText, startOver);
    cannot.hidden = true;

    // The week: one row per day.
    const days = make("fieldset", { className: "jalon-week" });
    days.append(make("legend", {}, words.week));
    const table = make("table", { className: "jalon-week-table" });
    const head = make("tr");
    [words.day, words.open, words.opens, words.closes, words.reopens, words.closes_again].forEach(
      function (title) {
        head.append(make("th", { scope: "col" }, title));
      }
    );
    const thead = make("thead");
    thead.append(head);
    table.append(thead);
    const body = make("tbody");
    table.append(body);
    const rows = DAY_CODES.map(function (code, index) {
      const name = dayNames[index] || code;
      const row = make("tr");
      row.append(make("th", { scope: "row" }, name));
      const open = make("input", {
        type: "checkbox",
        id: base + "_" + code + "_open",
        "aria-label": name + " : " + words.open,
      });
      const cell = make("td");
      cell.append(open);
      row.append(cell);
      const times = [words.opens, words.closes, words.reopens, words.closes_again].map(function (
        title,
        position
      ) {
        const input = make("input", {
          type: "time",
          id: base + "_" + code + "_" + position,
          "aria-label": name + " : " + title,
        });
        const timeCell = make("td");
        timeCell.append(input);
        row.append(timeCell);
        return input;
      });
      body.append(row);
      return { open: open, times: times };
    });
    days.append(table);
    const copy = make("button", { type: "button", className: "button" }, words.copy_monday);
    days.append(copy);

    // The exceptions: public holidays, closed days.
    const exceptions = make("fieldset", { className: "jalon-week-exceptions" });
    exceptions.append(make("legend", {}, words.exceptions));
    const holidaysRow = make("div", { className: "jalon-week-line" });
    const holidays = make("input", { type: "checkbox", id: base + "_holidays" });
    holidaysRow.append(holidays, make("label", { for: base + "_holidays" }, words.public_holidays));
    const dateRow = make("div", { className: "jalon-week-line" });
    const dateInput = make("input", { type: "date", id: base + "_closed_day" });
    const addDate = make("button", { type: "button", className: "button" }, words.add_closed_day);
    dateRow.append(make("label", { for: base + "_closed_day" }, words.closed_day), dateInput, addDate);
    const dates = make("ul", { className: "jalon-chips", "aria-label": words.closed_days });
    exceptions.append(holidaysRow, dateRow, dates);

    editor.append(cannot, days, exceptions);
    root.insertBefore(editor, field);
    root.insertBefore(make("p", { className: "help jalon-hours-help" }, words.text), field);

    function dayWords(iso) {
      const parts = iso.split("-").map(Number);
      return new Date(parts[0], parts[1] - 1, parts[2]).toLocaleDateString(language, {
        weekday: "long",
        day: "numeric",
        month: "long",
        year: "numeric",
      });
    }

    function renderDates() {
      dates.textContent = "";
      week.dates.forEach(function (iso) {
        const chip = make("li", { className: "jalon-chip" });
        const remove = make("button", {
          type: "button",
          className: "jalon-chip-remove",
          "aria-label": fill(words.remove, { day: dayWords(iso) }),
        });
        remove.append(make("span", { "aria-hidden": "true" }, "×"));
        remove.addEventListener("click", function () {
          week.dates = week.dates.filter((other) => other !== iso);
          renderDates();
          write();
          dateInput.focus();
        });
        chip.append(make("time", { datetime: iso }, dayWords(iso)), remove);
        dates.append(chip);
      });
      dates.hidden = week.dates.length === 0;
    }

    function render() {
      week.days.forEach(function (day, index) {
        rows[index].open.checked = day.open;
        rows[index].times.forEach(function (input, position) {
          input.value = day.ranges[Math.floor(position / 2)][position % 2] || "";
          input.disabled = !day.open;
        });
      });
      holidays.checked = week.holidays;
      renderDates();
    }

    function read() {
      week.days = rows.map(function (row) {
        const values = row.times.map((input) => input.value);
        return {
          open: row.open.checked,
          ranges: [
            [values[0], values[1]],
            [values[2], values[3]],
          ],
        };
      });
      week.holidays = holidays.checked;
    }

    function write() {
      field.value = textOf(week);
    }

    function usable(yes) {
      cannot.hidden = yes;
      days.disabled = !yes;
      exceptions.disabled = !yes;
    }

    rows.forEach(function (row, index) {
      row.open.addEventListener("change", function () {
        if (row.open.checked && row.times.every((input) => !input.value)) {
          // Opening a day starts from the nearest open day before it.
          for (let before = index - 1; before >= 0; before -= 1) {
            if (rows[before].open.checked) {
              row.times.forEach(function (input, position) {
                input.value = rows[before].times[position].value;
              });
              break;
            }
          }
        }
        row.times.forEach(function (input) {
          input.disabled = !row.open.checked;
        });
        read();
        write();
      });
      row.times.forEach(function (input) {
        input.addEventListener("change", function () {
          read();
          write();
        });
      });
    });
    copy.addEventListener("click", function () {
      read();
      for (let day = 1; day <= 4; day += 1) {
        week.days[day] = {
          open: week.days[0].open,
          ranges: week.days[0].ranges.map((range) => range.slice()),
        };
      }
      render();
      write();
    });
    holidays.addEventListener("change", function () {
      read();
      write();
    });
    function addClosedDay() {
      if (dateInput.value && week.dates.indexOf(dateInput.value) === -1) {
        week.dates.push(dateInput.value);
        week.dates.sort();
        renderDates();
        write();
      }
      dateInput.value = "";
    }
    addDate.addEventListener("click", addClosedDay);
    dateInput.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault(); // adds the day, does not submit the entry
        addClosedDay();
      }
    });
    startOver.addEventListener("click", function () {
      week = emptyWeek();
      render();
      write();
      usable(true);
      rows[0].open.focus();
    });
    field.addEventListener("input", function () {
      const typed = weekOf(field.value);
      if (typed) {
        week = typed;
        render();
      }
      usable(Boolean(typed));
    });

    const initial = weekOf(field.value);
    if (initial) {
      week = initial;
    }
    render();
    usable(Boolean(initial));
  }

  /* --- Translations in tabs --------------------------------------------------------- */

  function initTabs(root) {
    const panels = Array.from(root.querySelectorAll(":scope > .jalon-translation-panel"));
    if (!panels.length) {
      return;
    }
    const tablist = make("div", {
      role: "tablist",
      className: "jalon-tablist",
      "aria-label": root.dataset.label || "",
    });
    const tabs = panels.map(function (panel) {
      const title = panel.querySelector(".jalon-translation-title");
      const tab = make("button", {
        type: "button",
        role: "tab",
        id: panel.id + "_tab",
        "aria-controls": panel.id,
        className: "jalon-tab",
      }, title ? title.textContent : panel.dataset.language);
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      if (title) {
        title.hidden = true; // the tab says it
      }
      tablist.append(tab);
      return tab;
    });
    root.insertBefore(tablist, panels[0]);

    function select(index, focus) {
      tabs.forEach(function (tab, position) {
        const selected = position === index;
        tab.setAttribute("aria-selected", selected ? "true" : "false");
        tab.tabIndex = selected ? 0 : -1;
        panels[position].hidden = !selected;
      });
      if (focus) {
        tabs[index].focus();
      }
    }

    tabs.forEach(function (tab, index) {
      tab.addEventListener("click", function () {
        select(index, false);
      });
      tab.addEventListener("keydown", function (event) {
        let next = null;
        if (event.key === "ArrowRight") {
          next = (index + 1) % tabs.length;
        } else if (event.key === "ArrowLeft") {
          next = (index - 1 + tabs.length) % tabs.length;
        } else if (event.key === "Home") {
          next = 0;
        } else if (event.key === "End") {
          next = tabs.length - 1;
        }
        if (next !== null) {
          event.preventDefault();
          select(next, true);
        }
      });
    });
    select(0, false);
  }

  /* The widgets under root; never those of an inline's empty form, the template Django
     copies when a row is added: the copy is set up once added ("formset:added"). */
  function init(root) {
    const scope = root && root.querySelectorAll ? root : document;
    const setUp = function (selector, initWidget) {
      scope.querySelectorAll(selector).forEach(function (element) {
        if (!element.closest(".empty-form")) {
          initWidget(element);
        }
      });
    };
    setUp("[data-jalon-communes]", initCommunes);
    setUp("[data-jalon-hours]", initHours);
    setUp("[data-jalon-tabs]", initTabs);
  }

  /* Django's filter_horizontal (SelectFilter2.js) names its search icons by an aria-label
     on a bare <span>, which ARIA forbids (axe: aria-prohibited-attr): the role of an image
     makes the name valid. They are built on the window's load, so this waits for it. */
  function nameFilterIcons() {
    window.setTimeout(function () {
      document.querySelectorAll(".search-label-icon[aria-label]:not([role])").forEach(
        function (icon) {
          icon.setAttribute("role", "img");
        }
      );
    }, 0);
  }

  if (document.readyState === "complete") {
    nameFilterIcons();
  } else {
    window.addEventListener("load", nameFilterIcons);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  // A row added to an inline (a closure and its hours): its widgets, once it is there.
  document.addEventListener("formset:added", function (event) {
    init(event.target);
  });
})();
