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

// Lane C (dates in the reader's zone): sign-in forms carry the browser's time zone, which
// becomes the person's own until they choose one on their profile.
document.addEventListener("DOMContentLoaded", () => {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (const field of document.querySelectorAll("input[data-browser-zone]")) {
    field.value = zone || "";
  }
});
