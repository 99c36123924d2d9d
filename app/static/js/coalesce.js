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
// added." never sits beside a new result; after the swap focus that fell to the page's
// body lands on the new banner, or on the field to fix, or on the part that changed.
// Refreshes the page makes by itself (server-sent events, the bell) leave focus alone.
document.addEventListener("htmx:beforeRequest", (event) => {
  if (!event.detail.elt.closest("form, button")) return;
  document.querySelectorAll("[data-banner]").forEach((old) => old.remove());
});

document.addEventListener("htmx:afterSettle", (event) => {
  const source = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (!source || !source.closest || !source.closest("form, button")) return;
  // htmx keeps focus on a control that is still there under the same id (a form saved in
  // place): the person stays where they were. Only focus that fell to the body moves.
  const kept = document.activeElement;
  if (kept && kept !== document.body && kept.isConnected) return;
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

// Nothing destructive without a second look: hx-confirm and data-confirm ask in a
// <dialog> of our own (not the browser's bare confirm box). Once confirmed, the post
// carries confirmed=yes, so the server does not ask again on its confirmation page (the
// page a browser without JavaScript gets).
let confirmDialog = null;

function askToConfirm(question, yesLabel, onYes) {
  if (!confirmDialog) {
    confirmDialog = document.createElement("dialog");
    confirmDialog.className = "confirm";
    confirmDialog.setAttribute("aria-labelledby", "confirm-question");
    const article = document.createElement("article");
    const text = document.createElement("h2");
    text.id = "confirm-question";
    const footer = document.createElement("footer");
    const no = document.createElement("button");
    no.type = "button";
    no.className = "secondary outline";
    no.textContent = "No, go back";
    no.dataset.answer = "no";
    const yes = document.createElement("button");
    yes.type = "button";
    yes.dataset.answer = "yes";
    footer.append(no, yes);
    article.append(text, footer);
    confirmDialog.append(article);
    document.body.append(confirmDialog);
  }
  const opener = document.activeElement;
  confirmDialog.querySelector("#confirm-question").textContent = question;
  const yes = confirmDialog.querySelector("[data-answer='yes']");
  yes.textContent = yesLabel || "Yes, go ahead";
  confirmDialog.onclick = (event) => {
    const answer = event.target.closest("[data-answer]");
    if (!answer) return;
    confirmDialog.close();
    if (answer.dataset.answer === "yes") {
      onYes();
    } else if (opener && opener.isConnected) {
      opener.focus();
    }
  };
  confirmDialog.onclose = null;
  confirmDialog.showModal();
  confirmDialog.querySelector("[data-answer='no']").focus();
}

function questionFor(form, submitter) {
  const from = (el) => el && (el.dataset.confirm || el.getAttribute("hx-confirm"));
  return from(submitter) || from(form);
}

function yesLabelFor(form, submitter) {
  return (submitter && submitter.dataset.confirmYes) || (form && form.dataset.confirmYes);
}

document.addEventListener("htmx:confirm", (event) => {
  const elt = event.detail.elt;
  const submitter = event.detail.triggeringEvent && event.detail.triggeringEvent.submitter;
  const question = questionFor(elt, submitter);
  if (!question) return;
  event.preventDefault();
  askToConfirm(question, yesLabelFor(elt, submitter), () => {
    elt.dataset.confirmedOnce = "yes";
    event.detail.issueRequest(true);
  });
});

document.addEventListener("htmx:configRequest", (event) => {
  const elt = event.detail.elt;
  if (elt.dataset && elt.dataset.confirmedOnce) {
    event.detail.parameters.confirmed = "yes";
    delete elt.dataset.confirmedOnce;
  }
});

// A plain form (no htmx) asking to confirm: the same dialog, then the same submit.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.hasAttribute("hx-post") || form.dataset.confirmedOnce) return;
  const question = questionFor(form, event.submitter);
  if (!question) return;
  event.preventDefault();
  const submitter = event.submitter;
  askToConfirm(question, yesLabelFor(form, submitter), () => {
    const confirmed = document.createElement("input");
    confirmed.type = "hidden";
    confirmed.name = "confirmed";
    confirmed.value = "yes";
    form.append(confirmed);
    form.dataset.confirmedOnce = "yes";
    form.requestSubmit(submitter);
  });
});

// Back after the session ended under a form: the server kept what was posted and hands it
// back here (a JSON data block, not a script); put it into the form that posts to the same
// place, opening a folded section so it shows, and check the same radio and options.
document.addEventListener("DOMContentLoaded", () => {
  const data = document.getElementById("kept-form");
  if (!data) return;
  const kept = JSON.parse(data.textContent);
  const form = Array.from(document.querySelectorAll("form")).find((candidate) => {
    const target = candidate.getAttribute("hx-post") || candidate.getAttribute("action") || "";
    return new URL(target, document.baseURI).pathname === kept.action;
  });
  if (!form) return;
  const byName = {};
  kept.fields.forEach(([name, value]) => {
    (byName[name] = byName[name] || []).push(value);
  });
  Object.entries(byName).forEach(([name, values]) => {
    form.querySelectorAll(`[name="${CSS.escape(name)}"]`).forEach((field, index) => {
      if (field.type === "hidden") return;
      if (field.type === "radio" || field.type === "checkbox") {
        field.checked = values.includes(field.value);
      } else if (field.tagName === "SELECT" && field.multiple) {
        Array.from(field.options).forEach((o) => { o.selected = values.includes(o.value); });
      } else {
        field.value = values[Math.min(index, values.length - 1)];
      }
    });
  });
  const folded = form.closest("details");
  if (folded) folded.open = true;
});

// A page reached after an action (a plain post's redirect) opens on the banner saying
// what happened, so a screen reader reads it first and a keyboard starts from there.
document.addEventListener("DOMContentLoaded", () => {
  const banner = document.querySelector("main [data-banner]");
  if (banner) banner.focus();
});

// Lane C (dates in the reader's zone): sign-in forms carry the browser's time zone, which
// becomes the person's own until they choose one on their profile.
document.addEventListener("DOMContentLoaded", () => {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (const field of document.querySelectorAll("input[data-browser-zone]")) {
    field.value = zone || "";
  }
});
