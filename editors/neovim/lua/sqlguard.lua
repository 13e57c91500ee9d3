-- sqlguard for Neovim: start `sqlguard lsp` for SQL and Python buffers.
--
--   require("sqlguard").setup()                                  -- sqlguard on PATH
--   require("sqlguard").setup({ cmd = { "/path/to/venv/bin/sqlguard", "lsp" } })
--
-- Works on Neovim 0.7 and later (uses vim.lsp.start when present, else start_client).
-- setup() also makes .pgsql and .psql files "sql" buffers; `on_attach` is passed to the client
-- (before Neovim 0.10, map hover there: K is not mapped to it by default).
local M = {}

local defaults = {
  cmd = { "sqlguard", "lsp" },
  cmd_env = nil,
  filetypes = { "sql", "python" },
  root_markers = { "sqlguard.toml", "pyproject.toml", ".git" },
  on_attach = nil,
}

-- The folder holding the nearest root marker above the buffer, else the buffer's folder.
local function root_dir(bufnr, markers)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local start = vim.fn.fnamemodify(name, ":p:h")
  for _, marker in ipairs(markers) do
    local found = vim.fn.findfile(marker, start .. ";")
    if found == "" then
      found = vim.fn.finddir(marker, start .. ";")
    end
    if found ~= "" then
      return vim.fn.fnamemodify(found, ":p:h"):gsub("/%.git$", "")
    end
  end
  return start
end

local clients = {} -- root folder -> client id (for Neovim 0.7, which lacks vim.lsp.start)

local function attach(bufnr, opts)
  local root = root_dir(bufnr, opts.root_markers)
  local config = {
    name = "sqlguard",
    cmd = opts.cmd,
    cmd_env = opts.cmd_env,
    root_dir = root,
    on_attach = opts.on_attach,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
  }
  if vim.lsp.start then
    vim.lsp.start(config, { bufnr = bufnr })
    return
  end
  local id = clients[root]
  if id == nil or vim.lsp.get_client_by_id(id) == nil then
    id = vim.lsp.start_client(config)
    clients[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
end

function M.setup(user)
  local opts = vim.tbl_deep_extend("force", defaults, user or {})
  local group = vim.api.nvim_create_augroup("sqlguard", { clear = true })
  -- PostgreSQL scripts under their other names. Neovim 0.7 detects file types in Vim script
  -- (vim.filetype.add is ignored there), so it gets an autocommand instead.
  if vim.fn.has("nvim-0.8") == 1 then
    vim.filetype.add({ extension = { pgsql = "sql", psql = "sql" } })
  else
    vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, {
      group = group,
      pattern = { "*.pgsql", "*.psql" },
      command = "setfiletype sql",
    })
  end
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = opts.filetypes,
    callback = function(args)
      attach(args.buf, opts)
    end,
  })
end

return M
