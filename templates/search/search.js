/* The search page: Pagefind's components, told where this site's indexes are wherever the
   site is served (any sub-path: every address comes from the page's own). The index of
   the page's language loads first; the other languages' are merged into it. Opened from
   disk the browser cannot load an index, so the page says so instead. */
(function () {
  "use strict";

  var box = document.getElementById("search");
  var parts = document.getElementById("search-ui");
  if (!box || !parts) return;
  if (window.location.protocol === "file:") {
    document.getElementById("search-offline").hidden = false;
    return;
  }
  var components = window.PagefindComponents;
  if (!components) return;

  function pathOf(link) {
    return new URL(link, window.location.href).pathname;
  }

  var languages = box.getAttribute("data-languages").split(" ");
  var bundles = box.getAttribute("data-bundles").split(" ").map(pathOf);
  var root = pathOf(box.getAttribute("data-root")).replace(/index\.html$/, "");
  var merged = [];
  for (var i = 1; i < bundles.length; i++) {
    merged.push({ bundlePath: bundles[i], language: languages[i], baseUrl: root });
  }
  components.configureInstance("default", {
    bundlePath: bundles[0],
    baseUrl: root,
    mergeIndex: merged,
  });
  box.appendChild(parts.content.cloneNode(true));
  box.hidden = false;

  // A filter's button has the combobox role, which takes no name from its text, and
  // Pagefind names it only while a value is chosen: name it by its label otherwise.
  function nameFilterButtons() {
    var buttons = box.querySelectorAll(".pf-dropdown-trigger:not([aria-label])");
    for (var j = 0; j < buttons.length; j++) {
      var label = buttons[j].querySelector(".pf-dropdown-trigger-label");
      if (label) buttons[j].setAttribute("aria-label", label.textContent);
    }
  }
  new MutationObserver(nameFilterButtons).observe(box, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["aria-label"],
  });
  nameFilterButtons();
})();
