"""Annual equipment wave: manifest check, new posts into the référentiel, GLPI, resume;
renewal view. See README.md in this folder."""
