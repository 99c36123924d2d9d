// What our pages do in the browser beyond htmx, kept out of the HTML so the
// Content-Security-Policy can refuse inline script. Listening on the document, it also
// serves the parts htmx swaps in later.
document.addEventListener("click", (event) => {
  const copy = event.target.closest("[data-copy]");
  if (copy) {
    const source = document.getElementById(copy.dataset.copy);
    if (!navigator.clipboard) {
      source.select(); // not a secure context: leave it selected for Ctrl+C
      return;
    }
    navigator.clipboard.writeText(source.value).then(() => {
      copy.textContent = "Copied";
    });
    return;
  }
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

// Every action answers: an old banner goes as the next action starts, so a stale "Goal
// added." never sits beside a new result; after the swap focus lands on the new banner,
// or on the part that changed, instead of falling to the page's body. Refreshes the page
// makes by itself (server-sent events, the bell) leave focus where the person is.
document.addEventListener("htmx:beforeRequest", (event) => {
  if (!event.detail.elt.closest("form, button")) return;
  document.querySelectorAll("[data-banner]").forEach((old) => old.remove());
});

document.addEventListener("htmx:afterSettle", (event) => {
  const source = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (!source || !source.closest || !source.closest("form, button")) return;
  const banner = document.querySelector("[data-banner]");
  if (banner) {
    banner.focus();
    return;
  }
  const error = document.querySelector("[aria-invalid='true']");
  if (error) {
    error.focus();
    return;
  }
  const changed = event.detail.target;
  if (changed && changed.isConnected && changed !== document.body) {
    if (!changed.hasAttribute("tabindex")) changed.setAttribute("tabindex", "-1");
    changed.focus();
  }
});
