"use strict";
// Filters: each item carries its verdict, type and test; a filter hides what does not match and
// the lists and tests left with nothing to show. One pass over the items, no re-rendering.
(function () {
  const items = Array.from(document.querySelectorAll("article.item"));
  const lists = Array.from(document.querySelectorAll("section.list"));
  const tests = Array.from(document.querySelectorAll("section.test"));
  const verdictBoxes = Array.from(document.querySelectorAll('#filters input[name="verdict"]'));
  const typeFilter = document.getElementById("f-type");
  const testFilter = document.getElementById("f-test");
  const shown = document.getElementById("shown");
  const listOf = new Map();
  for (const item of items) {
    const list = item.parentElement;
    if (!listOf.has(list)) listOf.set(list, []);
    listOf.get(list).push(item);
  }

  function apply() {
    const verdicts = new Set(verdictBoxes.filter((box) => box.checked).map((box) => box.value));
    const type = typeFilter.value;
    const test = testFilter.value;
    const narrowed = verdicts.size < verdictBoxes.length || type !== "";
    let count = 0;
    for (const item of items) {
      const match = verdicts.has(item.dataset.verdict) && (type === "" || item.dataset.type === type) &&
        (test === "" || item.dataset.t === test);
      item.hidden = !match;
      if (match) count += 1;
    }
    for (const list of lists) {
      const own = listOf.get(list) || [];
      const wrongTest = test !== "" && list.dataset.t !== test;
      list.hidden = wrongTest || (narrowed && !own.some((item) => !item.hidden));
    }
    for (const section of tests) {
      section.hidden = (test !== "" && section.dataset.t !== test) ||
        Array.from(section.querySelectorAll(":scope > section.list")).every((list) => list.hidden);
    }
    shown.value = count === items.length ? `${items.length} items` : `showing ${count} of ${items.length} items`;
    document.body.dataset.filtered = String(count !== items.length);
  }

  function reveal() {
    // A link to an item the filters hide shows everything again, so an anchor always lands.
    const target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    if (target && target.closest("[hidden]")) {
      verdictBoxes.forEach((box) => { box.checked = true; });
      typeFilter.value = "";
      testFilter.value = "";
      apply();
      target.scrollIntoView();
    }
  }

  document.getElementById("filters").addEventListener("change", apply);
  document.getElementById("filters").addEventListener("submit", (event) => event.preventDefault());
  window.addEventListener("hashchange", reveal);
  apply();
  reveal();
  document.body.dataset.ready = "true";
})();
