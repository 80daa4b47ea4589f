// Site-wide behaviour that htmx cannot express. Loaded with `defer`; no inline
// scripts anywhere (the Content-Security-Policy forbids them).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
