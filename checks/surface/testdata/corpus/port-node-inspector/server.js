const app = require('express')();
app.listen(9229);
