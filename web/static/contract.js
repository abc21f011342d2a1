// The contract page's print button (the page prints as the contract through its print stylesheet).
(function () {
  const button = document.getElementById("print");
  if (button) button.addEventListener("click", () => window.print());
})();
