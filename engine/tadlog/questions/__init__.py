"""Questions: parse a question, the Answer model, the explainer, one module per answer form."""
