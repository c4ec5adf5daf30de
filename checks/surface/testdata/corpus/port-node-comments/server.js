// app.listen(23)
/*
app.listen(2375)
*/
console.log('x');
