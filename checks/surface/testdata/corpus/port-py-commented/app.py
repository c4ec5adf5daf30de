"""
app.run(host='0.0.0.0', port=23)
"""
# app.run(host='0.0.0.0', port=21)
print('x')
