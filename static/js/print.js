// The cheat sheet's "Print or save as PDF" button: opens the browser's print
// dialog, where "Save as PDF" is one of the printers. No inline scripts (CSP).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    event.preventDefault();
    window.print();
  }
});
