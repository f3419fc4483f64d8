// Atelier's 3D viewer: reads STL (binary or ASCII) and OBJ, draws it with WebGL, turns it by
// dragging or with the arrow keys, zooms with + and − or the wheel. No library.
"use strict";
(function () {
  // ---- parsing: every format becomes a flat list of triangle corners (x, y, z, ...)
  function parseSTL(buffer) {
    const view = new DataView(buffer);
    if (buffer.byteLength >= 84) {
      const count = view.getUint32(80, true);
      if (84 + count * 50 === buffer.byteLength) {
        const out = new Float32Array(count * 9);
        for (let i = 0; i < count; i++) {
          const base = 84 + i * 50 + 12;
          for (let k = 0; k < 9; k++) out[i * 9 + k] = view.getFloat32(base + k * 4, true);
        }
        return out;
      }
    }
    const text = new TextDecoder().decode(buffer);
    if (!/^\s*solid/.test(text)) throw new Error("This is not an STL file: it is neither binary STL nor text starting with 'solid'.");
    const numbers = [];
    const vertex = /vertex\s+(\S+)\s+(\S+)\s+(\S+)/g;
    let match;
    while ((match = vertex.exec(text))) numbers.push(+match[1], +match[2], +match[3]);
    if (numbers.length === 0 || numbers.length % 9 !== 0 || numbers.some(Number.isNaN)) throw new Error("This STL text has no complete triangles.");
    return new Float32Array(numbers);
  }

  function parseOBJ(buffer) {
    const lines = new TextDecoder().decode(buffer).split(/\r?\n/);
    const vertices = [], out = [];
    for (const line of lines) {
      const parts = line.trim().split(/\s+/);
      if (parts[0] === "v") vertices.push([+parts[1], +parts[2], +parts[3]]);
      else if (parts[0] === "f") {
        const index = parts.slice(1).map((p) => { const i = parseInt(p.split("/")[0], 10); return i < 0 ? vertices.length + i : i - 1; });
        for (let k = 1; k + 1 < index.length; k++) {
          for (const i of [index[0], index[k], index[k + 1]]) {
            const v = vertices[i];
            if (!v) throw new Error("This OBJ file refers to a vertex it does not have.");
            out.push(v[0], v[1], v[2]);
          }
        }
      }
    }
    if (out.length === 0) throw new Error("This OBJ file has no faces.");
    return new Float32Array(out);
  }

  function parse(buffer, name) {
    return /\.obj$/i.test(name || "") ? parseOBJ(buffer) : parseSTL(buffer);
  }

  // ---- geometry for drawing: centred, scaled to a unit sphere, with flat normals
  function prepare(corners) {
    const min = [Infinity, Infinity, Infinity], max = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < corners.length; i += 3) for (let k = 0; k < 3; k++) {
      min[k] = Math.min(min[k], corners[i + k]); max[k] = Math.max(max[k], corners[i + k]);
    }
    const centre = [0, 1, 2].map((k) => (min[k] + max[k]) / 2);
    const radius = Math.hypot(max[0] - min[0], max[1] - min[1], max[2] - min[2]) / 2 || 1;
    const positions = new Float32Array(corners.length), normals = new Float32Array(corners.length);
    for (let i = 0; i < corners.length; i++) positions[i] = (corners[i] - centre[i % 3]) / radius;
    for (let t = 0; t < positions.length; t += 9) {
      const ax = positions[t + 3] - positions[t], ay = positions[t + 4] - positions[t + 1], az = positions[t + 5] - positions[t + 2];
      const bx = positions[t + 6] - positions[t], by = positions[t + 7] - positions[t + 1], bz = positions[t + 8] - positions[t + 2];
      let nx = ay * bz - az * by, ny = az * bx - ax * bz, nz = ax * by - ay * bx;
      const length = Math.hypot(nx, ny, nz) || 1;
      nx /= length; ny /= length; nz /= length;
      for (let c = 0; c < 3; c++) { normals[t + c * 3] = nx; normals[t + c * 3 + 1] = ny; normals[t + c * 3 + 2] = nz; }
    }
    return { positions, normals, triangles: corners.length / 9, size: [0, 1, 2].map((k) => max[k] - min[k]), centre, radius };
  }

  // ---- matrices, column-major as WebGL wants them
  function multiply(a, b) {
    const out = new Float32Array(16);
    for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) {
      let sum = 0;
      for (let k = 0; k < 4; k++) sum += a[k * 4 + r] * b[c * 4 + k];
      out[c * 4 + r] = sum;
    }
    return out;
  }
  function perspective(fovy, aspect, near, far) {
    const f = 1 / Math.tan(fovy / 2), nf = 1 / (near - far);
    return new Float32Array([f / aspect, 0, 0, 0, 0, f, 0, 0, 0, 0, (far + near) * nf, -1, 0, 0, 2 * far * near * nf, 0]);
  }
  function rotationX(a) { const c = Math.cos(a), s = Math.sin(a); return new Float32Array([1, 0, 0, 0, 0, c, s, 0, 0, -s, c, 0, 0, 0, 0, 1]); }
  function rotationY(a) { const c = Math.cos(a), s = Math.sin(a); return new Float32Array([c, 0, -s, 0, 0, 1, 0, 0, s, 0, c, 0, 0, 0, 0, 1]); }
  function translation(z) { return new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, z, 1]); }

  const vertexShader = `
    attribute vec3 position; attribute vec3 normal; attribute vec3 tint;
    uniform mat4 projection; uniform mat4 rotation; uniform float distance;
    varying vec3 lit; varying vec3 shade;
    void main() {
      lit = (rotation * vec4(normal, 0.0)).xyz;
      shade = tint;
      vec4 p = rotation * vec4(position, 1.0);
      gl_Position = projection * vec4(p.xy, p.z - distance, 1.0);
    }`;
  const fragmentShader = `
    precision mediump float;
    varying vec3 lit; varying vec3 shade; uniform vec3 colour; uniform float tinted;
    void main() {
      vec3 n = normalize(lit);
      if (!gl_FrontFacing) n = -n;
      vec3 light = normalize(vec3(0.4, 0.7, 1.0));
      float diffuse = max(dot(n, light), 0.0);
      float shine = pow(max(dot(reflect(-light, n), vec3(0.0, 0.0, 1.0)), 0.0), 28.0);
      vec3 base = mix(colour, shade, tinted);
      gl_FragColor = vec4(base * (0.28 + 0.72 * diffuse) + vec3(0.55 * shine * (1.0 - 0.6 * tinted)), 1.0);
    }`;

  function compile(gl, type, source) {
    const shader = gl.createShader(type);
    gl.shaderSource(shader, source);
    gl.compileShader(shader);
    if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(shader));
    return shader;
  }

  class Viewer {
    constructor(figure) {
      this.figure = figure;
      this.yaw = 0.6; this.pitch = -1.0; this.distance = 3.2;
      this.colour = [0.86, 0.69, 0.33];
      this.canvas = document.createElement("canvas");
      this.canvas.tabIndex = 0;
      this.canvas.setAttribute("role", "img");
      this.canvas.setAttribute("aria-label", "3D view of the model; arrow keys turn it, + and − zoom");
      const gl = this.canvas.getContext("webgl", { antialias: true, preserveDrawingBuffer: true });
      if (!gl) { figure.dataset.state = "no-webgl"; return; }
      this.gl = gl;
      const program = gl.createProgram();
      gl.attachShader(program, compile(gl, gl.VERTEX_SHADER, vertexShader));
      gl.attachShader(program, compile(gl, gl.FRAGMENT_SHADER, fragmentShader));
      gl.linkProgram(program);
      gl.useProgram(program);
      this.program = program;
      this.buffers = { position: gl.createBuffer(), normal: gl.createBuffer(), tint: gl.createBuffer() };
      this.tinted = 0;
      gl.enable(gl.DEPTH_TEST);
      figure.insertBefore(this.canvas, figure.firstChild);
      this.listen();
    }

    listen() {
      let last = null;
      this.canvas.addEventListener("pointerdown", (e) => { last = [e.clientX, e.clientY]; this.canvas.setPointerCapture(e.pointerId); });
      this.canvas.addEventListener("pointermove", (e) => {
        if (!last) return;
        this.turn((e.clientX - last[0]) * 0.01, (e.clientY - last[1]) * 0.01);
        last = [e.clientX, e.clientY];
      });
      this.canvas.addEventListener("pointerup", () => { last = null; });
      this.canvas.addEventListener("wheel", (e) => { e.preventDefault(); this.zoom(e.deltaY > 0 ? 1.1 : 1 / 1.1); }, { passive: false });
      this.canvas.addEventListener("keydown", (e) => {
        const moves = { ArrowLeft: [-0.15, 0], ArrowRight: [0.15, 0], ArrowUp: [0, -0.15], ArrowDown: [0, 0.15] };
        if (moves[e.key]) { this.turn(...moves[e.key]); e.preventDefault(); }
        else if (e.key === "+" || e.key === "=") { this.zoom(1 / 1.1); e.preventDefault(); }
        else if (e.key === "-" || e.key === "_") { this.zoom(1.1); e.preventDefault(); }
      });
    }

    turn(dx, dy) {
      this.yaw += dx;
      this.pitch = Math.max(-Math.PI, Math.min(Math.PI, this.pitch + dy));
      this.draw();
    }

    zoom(factor) { this.distance = Math.max(1.3, Math.min(12, this.distance * factor)); this.draw(); }

    setColour(rgb) { this.colour = rgb; this.draw(); }

    /** Colours each triangle by its wall (mm, NaN: not measured) against `wall`: red below it,
     *  amber up to half as thick again, green beyond. */
    showThickness(values, wall) {
      if (!this.gl || !this.mesh || values.length !== this.mesh.triangles) return false;
      const tints = new Float32Array(this.mesh.triangles * 9);
      for (let t = 0; t < values.length; t++) {
        const v = values[t];
        const rgb = Number.isNaN(v) ? [0.6, 0.6, 0.6] : v < wall ? [0.85, 0.15, 0.1] : v < wall * 1.5 ? [0.95, 0.65, 0.1] : [0.2, 0.65, 0.3];
        for (let c = 0; c < 3; c++) tints.set(rgb, t * 9 + c * 3);
      }
      const gl = this.gl, location = gl.getAttribLocation(this.program, "tint");
      gl.bindBuffer(gl.ARRAY_BUFFER, this.buffers.tint);
      gl.bufferData(gl.ARRAY_BUFFER, tints, gl.STATIC_DRAW);
      gl.enableVertexAttribArray(location);
      gl.vertexAttribPointer(location, 3, gl.FLOAT, false, 0, 0);
      this.tinted = 1;
      this.figure.dataset.colouring = "thickness";
      this.draw();
      return true;
    }

    /** Turns the model so that the point `at` (mm, in the model's coordinates) faces the viewer. */
    face(at) {
      if (!this.mesh) return;
      const d = [0, 1, 2].map((k) => at[k] - this.mesh.centre[k]);
      const flat = Math.hypot(d[0], d[2]);
      this.yaw = Math.atan2(-d[0], d[2]);
      this.pitch = Math.atan2(d[1], flat);
      this.distance = 2.4;
      this.draw();
    }

    show(corners) {
      if (!this.gl) return;
      const gl = this.gl, mesh = prepare(corners);
      for (const [name, data] of [["position", mesh.positions], ["normal", mesh.normals]]) {
        const location = gl.getAttribLocation(this.program, name);
        gl.bindBuffer(gl.ARRAY_BUFFER, this.buffers[name]);
        gl.bufferData(gl.ARRAY_BUFFER, data, gl.STATIC_DRAW);
        gl.enableVertexAttribArray(location);
        gl.vertexAttribPointer(location, 3, gl.FLOAT, false, 0, 0);
      }
      this.count = mesh.positions.length / 3;
      this.mesh = mesh;
      this.tinted = 0;
      gl.disableVertexAttribArray(gl.getAttribLocation(this.program, "tint"));
      this.figure.dataset.triangles = String(mesh.triangles);
      this.figure.dataset.state = "ready";
      this.draw();
    }

    draw() {
      if (!this.gl || !this.count || this.pending) return;
      this.pending = true;
      requestAnimationFrame(() => {
        this.pending = false;
        const gl = this.gl, canvas = this.canvas;
        const width = Math.round(canvas.clientWidth * devicePixelRatio) || 400;
        if (canvas.width !== width) { canvas.width = width; canvas.height = width; }
        gl.viewport(0, 0, canvas.width, canvas.height);
        gl.clearColor(0, 0, 0, 0);
        gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
        const uniform = (name) => gl.getUniformLocation(this.program, name);
        gl.uniformMatrix4fv(uniform("projection"), false, perspective(0.7, 1, 0.1, 50));
        gl.uniformMatrix4fv(uniform("rotation"), false, multiply(rotationX(this.pitch), rotationY(this.yaw)));
        gl.uniform1f(uniform("distance"), this.distance);
        gl.uniform3fv(uniform("colour"), this.colour);
        gl.uniform1f(uniform("tinted"), this.tinted);
        gl.drawArrays(gl.TRIANGLES, 0, this.count);
        this.figure.dataset.frames = String(+(this.figure.dataset.frames || 0) + 1);
      });
    }
  }

  function viewerOf(figure) {
    if (!figure.atelierViewer) figure.atelierViewer = new Viewer(figure);
    return figure.atelierViewer;
  }

  /** Shows a model already in memory (a file the customer chose); throws when it cannot be read. */
  function show(figure, buffer, name) {
    const corners = parse(buffer, name);
    viewerOf(figure).show(corners);
    return corners.length / 9;
  }

  /** Loads a model from the server (always binary STL) and shows it; rejects with the server's reason. */
  async function load(figure, url) {
    figure.dataset.state = "loading";
    const response = await fetch(url, { headers: { Accept: "model/stl, application/problem+json" }, credentials: "same-origin" });
    if (!response.ok) {
      const texts = document.querySelector("#texts")?.content.querySelector("[data-key=unloadable]");
      let detail = (texts ? texts.textContent.trim() : "The model could not be loaded (HTTP {status}).").replace("{status}", response.status);
      try { detail = (await response.json()).detail || detail; } catch (_) { /* not JSON */ }
      figure.dataset.state = "failed";
      throw new Error(detail);
    }
    return show(figure, await response.arrayBuffer(), "model.stl");
  }

  window.AtelierViewer = { show, load, parse, viewerOf };
})();
