// Letter form: show the co-finance fields only for co-finance letters (without JS they always show).
(function () {
  "use strict";
  var kind = document.getElementById("kind");
  var fields = document.getElementById("cofinance-fields");
  var currency = document.getElementById("currency");
  var rate = document.getElementById("exchange_rate");
  if (!kind || !fields) { return; }
  function sync() {
    fields.hidden = kind.value !== "cofinance";
    if (currency && rate) { rate.disabled = currency.value === "USD"; }
  }
  kind.addEventListener("change", sync);
  if (currency) { currency.addEventListener("change", sync); }
  sync();
})();
