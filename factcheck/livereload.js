// Live reload for `python build.py serve`: the server adds this script to the pages it
// serves; it is never part of the built site. It waits for the server to say a build
// finished after the one this page came from, then reloads the page.
(() => {
  "use strict";
  const script = document.querySelector("script[data-livereload]");
  const since = script ? script.dataset.livereload : "";
  const events = new EventSource(`/__livereload/events?since=${encodeURIComponent(since)}`);
  events.addEventListener("reload", () => {
    events.close();
    window.location.reload();
  });
})();
